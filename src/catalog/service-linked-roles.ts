/**
 * Service-linked roles as AWS creates them: for each service principal, the role's name,
 * the one AWS managed policy attached to it (under `arn:aws:iam::aws:policy/aws-service-role/`),
 * whether CreateServiceLinkedRole accepts a CustomSuffix, and the description the service
 * sets when it creates the role itself.
 *
 * The mapping is not derivable from the principal (`sso` → `SSO`, `clientvpn` →
 * `ClientVPN`, `dms` → `DMSServerless`): every row comes from a recorded AWS response
 * (/work/shared/reference/service-linked-roles.md) or a service's "Using service-linked
 * roles" page. Extra rows, from AWS's documentation:
 * - organizations.amazonaws.com: Organizations guide, *Managing accounts in your
 *   organization* ("creates a service-linked role called AWSServiceRoleForOrganizations")
 *   and the managed policy reference (AWSOrganizationsServiceTrustPolicy, aws-service-role/).
 * - spot.amazonaws.com: AWSServiceRoleForEC2Spot (the name in AWS's own "has been taken"
 *   errors) with AWSEC2SpotServiceRolePolicy.
 */

export interface ServiceLinkedRoleSpec {
  /** The service principal (`clientvpn.amazonaws.com`): `AWSServiceName`, and the trusted principal. */
  readonly service: string;
  readonly roleName: string;
  /** The attached AWS managed policy's ARN. */
  readonly policyArn: string;
  /** CreateServiceLinkedRole accepts a CustomSuffix (the role is then `<roleName>_<suffix>`). */
  readonly customSuffix: boolean;
  /**
   * The description the role carries when the service creates it itself (AWS leaves it
   * out when a caller creates the role without one).
   */
  readonly description?: string;
}

export const SERVICE_ROLE_POLICY_PREFIX = 'arn:aws:iam::aws:policy/aws-service-role/';

type Row = readonly [service: string, roleName: string, policyName: string, extra?: { readonly suffix?: boolean; readonly description?: string }];

const ROWS: readonly Row[] = [
  ['clientvpn.amazonaws.com', 'AWSServiceRoleForClientVPN', 'ClientVPNServiceRolePolicy'],
  ['clientvpn-connections.amazonaws.com', 'AWSServiceRoleForClientVPNConnections', 'ClientVPNServiceConnectionsRolePolicy'],
  ['accountdiscovery.ssm.amazonaws.com', 'AWSServiceRoleForAmazonSSM_AccountDiscovery', 'AWSSystemsManagerAccountDiscoveryServicePolicy'],
  ['acm.amazonaws.com', 'AWSServiceRoleForCertificateManager', 'CertificateManagerServiceRolePolicy'],
  ['appmesh.amazonaws.com', 'AWSServiceRoleForAppMesh', 'AWSAppMeshServiceRolePolicy'],
  ['autoscaling-plans.amazonaws.com', 'AWSServiceRoleForAutoScalingPlans_EC2AutoScaling', 'AWSAutoScalingPlansEC2AutoScalingPolicy'],
  ['autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling', 'AutoScalingServiceRolePolicy', { suffix: true }],
  ['backup.amazonaws.com', 'AWSServiceRoleForBackup', 'AWSBackupServiceLinkedRolePolicyForBackup'],
  ['batch.amazonaws.com', 'AWSServiceRoleForBatch', 'BatchServiceRolePolicy'],
  ['cassandra.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_CassandraTable', 'AWSApplicationAutoscalingCassandraTablePolicy'],
  ['cks.kms.amazonaws.com', 'AWSServiceRoleForKeyManagementServiceCustomKeyStores', 'AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy'],
  ['cloudtrail.amazonaws.com', 'AWSServiceRoleForCloudTrail', 'CloudTrailServiceRolePolicy'],
  ['codestar-notifications.amazonaws.com', 'AWSServiceRoleForCodeStarNotifications', 'AWSCodeStarNotificationsServiceRolePolicy'],
  ['config.amazonaws.com', 'AWSServiceRoleForConfig', 'AWSConfigServiceRolePolicy'],
  ['connect.amazonaws.com', 'AWSServiceRoleForAmazonConnect', 'AmazonConnectServiceLinkedRolePolicy', { suffix: true }],
  ['dms-fleet-advisor.amazonaws.com', 'AWSServiceRoleForDMSFleetAdvisor', 'AWSDMSFleetAdvisorServiceRolePolicy'],
  ['dms.amazonaws.com', 'AWSServiceRoleForDMSServerless', 'AWSDMSServerlessServiceRolePolicy'],
  ['docdb-elastic.amazonaws.com', 'AWSServiceRoleForDocDB-Elastic', 'AmazonDocDB-ElasticServiceRolePolicy'],
  ['ec2-instance-connect.amazonaws.com', 'AWSServiceRoleForEc2InstanceConnect', 'Ec2InstanceConnectEndpoint'],
  ['ec2.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest', 'AWSApplicationAutoscalingEC2SpotFleetRequestPolicy'],
  ['ecr.amazonaws.com', 'AWSServiceRoleForECRTemplate', 'ECRTemplateServiceRolePolicy'],
  ['ecs.amazonaws.com', 'AWSServiceRoleForECS', 'AmazonECSServiceRolePolicy'],
  ['eks-connector.amazonaws.com', 'AWSServiceRoleForAmazonEKSConnector', 'AmazonEKSConnectorServiceRolePolicy'],
  ['eks-fargate.amazonaws.com', 'AWSServiceRoleForAmazonEKSForFargate', 'AmazonEKSForFargateServiceRolePolicy'],
  ['eks-nodegroup.amazonaws.com', 'AWSServiceRoleForAmazonEKSNodegroup', 'AWSServiceRoleForAmazonEKSNodegroup'],
  ['eks.amazonaws.com', 'AWSServiceRoleForAmazonEKS', 'AmazonEKSServiceRolePolicy'],
  ['elasticache.amazonaws.com', 'AWSServiceRoleForElastiCache', 'ElastiCacheServiceRolePolicy'],
  ['elasticbeanstalk.amazonaws.com', 'AWSServiceRoleForElasticBeanstalk', 'AWSElasticBeanstalkServiceRolePolicy'],
  ['elasticfilesystem.amazonaws.com', 'AWSServiceRoleForAmazonElasticFileSystem', 'AmazonElasticFileSystemServiceRolePolicy'],
  ['elasticloadbalancing.amazonaws.com', 'AWSServiceRoleForElasticLoadBalancing', 'AWSElasticLoadBalancingServiceRolePolicy'],
  ['email.cognito-idp.amazonaws.com', 'AWSServiceRoleForAmazonCognitoIdpEmailService', 'AmazonCognitoIdpEmailServiceRolePolicy'],
  ['emr-containers.amazonaws.com', 'AWSServiceRoleForAmazonEMRContainers', 'AmazonEMRContainersServiceRolePolicy'],
  ['emrwal.amazonaws.com', 'AWSServiceRoleForEMRWAL', 'EMRDescribeClusterPolicyForEMRWAL'],
  ['fis.amazonaws.com', 'AWSServiceRoleForFIS', 'AmazonFISServiceRolePolicy'],
  ['grafana.amazonaws.com', 'AWSServiceRoleForAmazonGrafana', 'AmazonGrafanaServiceLinkedRolePolicy'],
  ['imagebuilder.amazonaws.com', 'AWSServiceRoleForImageBuilder', 'AWSServiceRoleForImageBuilder'],
  ['iotmanagedintegrations.amazonaws.com', 'AWSServiceRoleForIoTManagedIntegrations', 'AWSIoTManagedIntegrationsRolePolicy'],
  ['kafka.amazonaws.com', 'AWSServiceRoleForKafka', 'KafkaServiceRolePolicy'],
  ['kafkaconnect.amazonaws.com', 'AWSServiceRoleForKafkaConnect', 'KafkaConnectServiceRolePolicy'],
  ['lakeformation.amazonaws.com', 'AWSServiceRoleForLakeFormationDataAccess', 'LakeFormationDataAccessServiceRolePolicy'],
  // The reference lists AmazonLexBotPolicy, which no AWS managed policy is called; the
  // Lex (V1) bots' service-linked role policy is aws-service-role/LexBotPolicy.
  ['lex.amazonaws.com', 'AWSServiceRoleForLexBots', 'LexBotPolicy'],
  ['lexv2.amazonaws.com', 'AWSServiceRoleForLexV2Bots', 'AmazonLexV2BotPolicy', { suffix: true }],
  ['lightsail.amazonaws.com', 'AWSServiceRoleForLightsail', 'LightsailExportAccess'],
  ['m2.amazonaws.com', 'AWSServiceRoleForAWSM2', 'AWSM2ServicePolicy'],
  ['memorydb.amazonaws.com', 'AWSServiceRoleForMemoryDB', 'MemoryDBServiceRolePolicy'],
  ['mq.amazonaws.com', 'AWSServiceRoleForAmazonMQ', 'AmazonMQServiceRolePolicy'],
  ['mrk.kms.amazonaws.com', 'AWSServiceRoleForKeyManagementServiceMultiRegionKeys', 'AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy'],
  ['notifications.amazonaws.com', 'AWSServiceRoleForAwsUserNotifications', 'AWSUserNotificationsServiceLinkedRolePolicy'],
  ['observability.aoss.amazonaws.com', 'AWSServiceRoleForAmazonOpenSearchServerless', 'AmazonOpenSearchServerlessServiceRolePolicy'],
  ['opensearchservice.amazonaws.com', 'AWSServiceRoleForAmazonOpenSearchService', 'AmazonOpenSearchServiceRolePolicy'],
  ['ops.apigateway.amazonaws.com', 'AWSServiceRoleForAPIGateway', 'APIGatewayServiceRolePolicy'],
  ['ops.emr-serverless.amazonaws.com', 'AWSServiceRoleForAmazonEMRServerless', 'AmazonEMRServerlessServiceRolePolicy'],
  ['opsdatasync.ssm.amazonaws.com', 'AWSServiceRoleForSystemsManagerOpsDataSync', 'AWSSystemsManagerOpsDataSyncServiceRolePolicy'],
  ['opsinsights.ssm.amazonaws.com', 'AWSServiceRoleForAmazonSSM_OpsInsights', 'AWSSSMOpsInsightsServiceRolePolicy'],
  ['pullthroughcache.ecr.amazonaws.com', 'AWSServiceRoleForECRPullThroughCache', 'AWSECRPullThroughCache_ServiceRolePolicy'],
  ['ram.amazonaws.com', 'AWSServiceRoleForResourceAccessManager', 'AWSResourceAccessManagerServiceRolePolicy'],
  ['rds.amazonaws.com', 'AWSServiceRoleForRDS', 'AmazonRDSServiceRolePolicy', { description: 'Allows Amazon RDS to manage AWS resources on your behalf' }],
  ['redshift.amazonaws.com', 'AWSServiceRoleForRedshift', 'AmazonRedshiftServiceLinkedRolePolicy'],
  ['replication.cassandra.amazonaws.com', 'AWSServiceRoleForKeyspacesReplication', 'KeyspacesReplicationServiceRolePolicy'],
  ['replication.ecr.amazonaws.com', 'AWSServiceRoleForECRReplication', 'ECRReplicationServiceRolePolicy'],
  ['repository.sync.codeconnections.amazonaws.com', 'AWSServiceRoleForGitSync', 'AWSGitSyncServiceRolePolicy'],
  ['resource-explorer-2.amazonaws.com', 'AWSServiceRoleForResourceExplorer', 'AWSResourceExplorerServiceRolePolicy'],
  ['rolesanywhere.amazonaws.com', 'AWSServiceRoleForRolesAnywhere', 'AWSRolesAnywhereServicePolicy'],
  ['s3-outposts.amazonaws.com', 'AWSServiceRoleForS3OnOutposts', 'AWSS3OnOutpostsServiceRolePolicy'],
  ['ses.amazonaws.com', 'AWSServiceRoleForAmazonSES', 'AmazonSESServiceRolePolicy'],
  ['shield.amazonaws.com', 'AWSServiceRoleForAWSShield', 'AWSShieldServiceRolePolicy'],
  ['ssm-incidents.amazonaws.com', 'AWSServiceRoleForIncidentManager', 'AWSIncidentManagerServiceRolePolicy'],
  ['ssm-quicksetup.amazonaws.com', 'AWSServiceRoleForSSMQuickSetup', 'SSMQuickSetupRolePolicy'],
  ['ssm.amazonaws.com', 'AWSServiceRoleForAmazonSSM', 'AmazonSSMServiceRolePolicy', { description: 'Provides access to AWS Resources managed or used by Amazon SSM.' }],
  ['sso.amazonaws.com', 'AWSServiceRoleForSSO', 'AWSSSOServiceRolePolicy', { description: 'Service-linked role used by AWS SSO to manage AWS resources, including IAM roles, policies and SAML IdP on your behalf.' }],
  ['vpcorigin.cloudfront.amazonaws.com', 'AWSServiceRoleForCloudFrontVPCOrigin', 'AWSCloudFrontVPCOriginServiceRolePolicy'],
  ['waf.amazonaws.com', 'AWSServiceRoleForWAFLogging', 'WAFLoggingServiceRolePolicy'],
  ['wafv2.amazonaws.com', 'AWSServiceRoleForWAFV2Logging', 'WAFV2LoggingServiceRolePolicy'],
  ['organizations.amazonaws.com', 'AWSServiceRoleForOrganizations', 'AWSOrganizationsServiceTrustPolicy'],
  ['spot.amazonaws.com', 'AWSServiceRoleForEC2Spot', 'AWSEC2SpotServiceRolePolicy'],
];

const BY_SERVICE: ReadonlyMap<string, ServiceLinkedRoleSpec> = new Map(
  ROWS.map(([service, roleName, policyName, extra]) => [
    service,
    {
      service,
      roleName,
      policyArn: SERVICE_ROLE_POLICY_PREFIX + policyName,
      customSuffix: extra?.suffix ?? false,
      ...(extra?.description !== undefined ? { description: extra.description } : {}),
    },
  ]),
);

/** The service's SLR, by its principal (case-sensitive, as `AWSServiceName` is). */
export function serviceLinkedRoleFor(service: string): ServiceLinkedRoleSpec | undefined {
  return BY_SERVICE.get(service);
}

export function allServiceLinkedRoles(): IterableIterator<ServiceLinkedRoleSpec> {
  return BY_SERVICE.values();
}
