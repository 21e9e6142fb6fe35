/** What the Organizations tests share. */
import assert from 'node:assert/strict';

/** Expect `p` to fail with the error `name` (and `message`, exact or a pattern); the error, for its Reason. */
export async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<Error & { Reason?: string; Message?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { Reason?: string; Message?: string };
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${name}`);
}
