/**
 * A small JSON reader that keeps source offsets, because IAM reports where statements
 * start and end (the Simulate APIs' StartPosition/EndPosition) and because a finding is
 * only useful when it says where the problem is. JSON.parse keeps neither.
 *
 * Strict RFC 8259: no comments, no trailing commas. Duplicate object keys are kept in
 * order so the grammar layer can reject them (IAM does not silently pick one).
 */
import type { Position } from './types.js';

export type JsonNode = JsonObject | JsonArray | JsonScalar;

interface NodeBase {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset of the last character (inclusive). */
  readonly end: number;
}

export interface JsonObject extends NodeBase {
  readonly kind: 'object';
  readonly entries: readonly { readonly key: string; readonly keyStart: number; readonly value: JsonNode }[];
}

export interface JsonArray extends NodeBase {
  readonly kind: 'array';
  readonly items: readonly JsonNode[];
}

export interface JsonScalar extends NodeBase {
  readonly kind: 'string' | 'number' | 'boolean' | 'null';
  readonly value: string | number | boolean | null;
  /** The raw source text of a number, so `10.50` is not turned into `10.5`. */
  readonly raw: string;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Maps offsets to line/column positions in one source text. */
export class SourceMap {
  private readonly lineStarts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }
  /** Plain 1-based line and column of the character at `offset`. */
  lineColumn(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
  /**
   * IAM's Position for the character at `offset`: 1-based line, and the 1-based column of
   * the character after it. Measured on AWS's own example: a statement whose `{` is the
   * 37th character is reported at Column 38, and its `}` at the 166th at Column 167.
   */
  iamPosition(offset: number): Position {
    const { line, column } = this.lineColumn(offset);
    return { line, column: column + 1 };
  }
}

export function parseJson(text: string): JsonNode {
  const parser = new Parser(text);
  parser.skipWs();
  const node = parser.value();
  parser.skipWs();
  if (parser.pos < text.length) throw new JsonSyntaxError('Unexpected data after the document', parser.pos);
  return node;
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  skipWs(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(): JsonNode {
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"': {
        const start = this.pos;
        const value = this.string();
        return { kind: 'string', value, start, end: this.pos - 1, raw: this.s.slice(start, this.pos) };
      }
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        throw new JsonSyntaxError(c === undefined ? 'Unexpected end of document' : `Unexpected character '${c}'`, this.pos);
    }
  }

  private literal(word: string, value: boolean | null): JsonScalar {
    if (!this.s.startsWith(word, this.pos)) throw new JsonSyntaxError(`Unexpected token`, this.pos);
    const start = this.pos;
    this.pos += word.length;
    return { kind: value === null ? 'null' : 'boolean', value, start, end: this.pos - 1, raw: word };
  }

  private number(): JsonScalar {
    const start = this.pos;
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = start;
    const match = m.exec(this.s);
    if (!match) throw new JsonSyntaxError('Invalid number', start);
    this.pos = start + match[0].length;
    return { kind: 'number', value: Number(match[0]), start, end: this.pos - 1, raw: match[0] };
  }

  private string(): string {
    const s = this.s;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    while (true) {
      if (this.pos >= s.length) throw new JsonSyntaxError('Unterminated string', this.pos);
      const c = s.charCodeAt(this.pos);
      if (c === 34) break; // "
      if (c < 0x20) throw new JsonSyntaxError('Control character in string', this.pos);
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += s.slice(chunk, this.pos);
      const e = s[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = s.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('Invalid unicode escape', this.pos);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          throw new JsonSyntaxError('Invalid escape', this.pos - 1);
      }
      chunk = this.pos;
    }
    out += s.slice(chunk, this.pos);
    this.pos++; // closing quote
    return out;
  }

  private object(): JsonObject {
    const start = this.pos++;
    const entries: { key: string; keyStart: number; value: JsonNode }[] = [];
    this.skipWs();
    if (this.s[this.pos] === '}') {
      return { kind: 'object', entries, start, end: this.pos++ };
    }
    while (true) {
      this.skipWs();
      if (this.s[this.pos] !== '"') throw new JsonSyntaxError('Expected a property name', this.pos);
      const keyStart = this.pos;
      const key = this.string();
      this.skipWs();
      if (this.s[this.pos] !== ':') throw new JsonSyntaxError("Expected ':'", this.pos);
      this.pos++;
      this.skipWs();
      entries.push({ key, keyStart, value: this.value() });
      this.skipWs();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') return { kind: 'object', entries, start, end: this.pos++ };
      throw new JsonSyntaxError("Expected ',' or '}'", this.pos);
    }
  }

  private array(): JsonArray {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.s[this.pos] === ']') return { kind: 'array', items, start, end: this.pos++ };
    while (true) {
      this.skipWs();
      items.push(this.value());
      this.skipWs();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') return { kind: 'array', items, start, end: this.pos++ };
      throw new JsonSyntaxError("Expected ',' or ']'", this.pos);
    }
  }
}
