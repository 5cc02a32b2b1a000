'use strict';
/**
 * Deploy-time helper for serverless.yml (CommonJS: the framework require()s it).
 *
 * Everything the stack grants or wires is derived from ONE mirror-vip configuration document plus a few deployment
 * parameters (custom.deploy), so the role names exactly the route tables, Elastic IPs, ENIs and SSM parameters the
 * function uses, and cannot drift from them. serverless.yml reads the exported properties with
 * ${file(./deploy/aws-params.cjs):<name>}.
 */
const fs = require('node:fs');
const path = require('node:path');

const SERVICE_DIR = path.resolve(__dirname, '..');
const FUNCTION_KEY = 'vip';
/** Lambda caps all environment variables of a function at 4 KB together. */
const MAX_INLINE_CONFIG = 3800;
const ID = {
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d$/,
  rtb: /^rtb-[0-9a-f]{8,17}$/,
  vpc: /^vpc-[0-9a-f]{8,17}$/,
  eni: /^eni-[0-9a-f]{8,17}$/,
  eipalloc: /^eipalloc-[0-9a-f]{8,17}$/,
  instance: /^i-[0-9a-f]{8,17}$/,
  subnet: /^subnet-[0-9a-f]{8,17}$/,
  sg: /^sg-[0-9a-f]{8,17}$/,
  topic: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  kmsKey: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
  prefix: /^\/[A-Za-z0-9_.\-/]*\/$/,
  configFile: /^[\w./-]+\.json$/,
  name: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
};
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'];
const AUTH_TYPES = ['NONE', 'AWS_IAM'];
/** EC2 calls Lambda needs to manage the function's VPC ENIs; the function's own code must never make them. */
const ENI_WRITE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

function fail(where, message) {
  throw new Error(`mirror-vip deploy parameters: ${where}: ${message}`);
}

function check(kind, value, where) {
  if (typeof value !== 'string' || !ID[kind].test(value))
    fail(where, `${JSON.stringify(value)} is not a valid ${kind}`);
  return value;
}

function readConfig(params) {
  const file = path.resolve(SERVICE_DIR, check('configFile', params.configFile, 'configFile'));
  let config;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail('configFile', `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!config || !Array.isArray(config.mirrors) || config.mirrors.length === 0) fail('configFile', 'no mirrors');
  return config;
}

function periods(n) {
  if (!Number.isInteger(n) || n < 1 || n > 60)
    fail('alarmEvaluationPeriods', 'must be a whole number of minutes, 1-60');
  return n;
}

function readParams(params) {
  if (!params || typeof params !== 'object') fail('custom.deploy', 'missing (set MIRROR_VIP_DEPLOY_FILE)');
  const partition = params.partition ?? 'aws';
  if (!PARTITIONS.includes(partition)) fail('partition', `must be one of ${PARTITIONS.join(', ')}`);
  const urlAuthType = params.urlAuthType ?? 'NONE';
  if (!AUTH_TYPES.includes(urlAuthType)) fail('urlAuthType', `must be one of ${AUTH_TYPES.join(', ')}`);
  const prefix = check('prefix', params.ssmParameterPrefix ?? '/mirror-vip/', 'ssmParameterPrefix');
  const vpc = params.vpc ?? null;
  if (vpc) {
    if (!vpc.subnetIds?.length || !vpc.securityGroupIds?.length) fail('vpc', 'needs subnetIds and securityGroupIds');
    for (const [i, id] of vpc.subnetIds.entries()) check('subnet', id, `vpc.subnetIds[${i}]`);
    for (const [i, id] of vpc.securityGroupIds.entries()) check('sg', id, `vpc.securityGroupIds[${i}]`);
  }
  return {
    accountId: check('account', params.accountId, 'accountId'),
    region: check('region', params.region, 'region'),
    partition,
    urlAuthType,
    prefix,
    kmsKeyArn: params.kmsKeyArn ? check('kmsKey', params.kmsKeyArn, 'kmsKeyArn') : null,
    outcomeTopicArn: params.outcomeTopicArn ? check('topic', params.outcomeTopicArn, 'outcomeTopicArn') : null,
    evaluationPeriods: periods(params.alarmEvaluationPeriods ?? 1),
    alarmActions: (params.alarmActions ?? []).map((a, i) => check('topic', a, `alarmActions[${i}]`)),
    vpc,
  };
}

/** Collects the resources one mirror touches, as ARNs, checking every id so no wildcard can slip in. */
function collectMirror(p, m, mi, out) {
  const arn = (service, resource) => `arn:${p.partition}:${service}:${m.region}:${p.accountId}:${resource}`;
  check('name', m.name, `mirrors[${mi}].name`);
  for (const k of ['members', 'vips', 'keys']) if (!Array.isArray(m[k])) fail(`mirrors[${mi}].${k}`, 'must be a list');
  // Alarms and the VPC the probe runs in are regional: one stack per region.
  if (m.region !== p.region) fail(`mirrors[${mi}].region`, `${m.region} differs from the deploy region ${p.region}`);
  const eniArns = m.members.map((mem, i) => {
    check('name', mem.name, `mirrors[${mi}].members[${i}].name`);
    check('instance', mem.instanceId, `mirrors[${mi}].members[${i}].instanceId`);
    out.members.push({ mirror: m.name, name: mem.name, instanceId: mem.instanceId });
    return arn('ec2', `network-interface/${check('eni', mem.eniId, `mirrors[${mi}].members[${i}].eniId`)}`);
  });
  m.vips.forEach((v, vi) => {
    const where = `mirrors[${mi}].vips[${vi}]`;
    if (v.mode === 'route' && v.routeTableIds) {
      for (const id of v.routeTableIds) out.routeTableArns.add(arn('ec2', `route-table/${check('rtb', id, where)}`));
    } else if (v.mode === 'route') {
      out.vpcArns.add(arn('ec2', `vpc/${check('vpc', v.vpcId, `${where}.vpcId`)}`));
      out.vpcRouteTables.add(arn('ec2', 'route-table/*'));
    } else if (v.mode === 'eip') {
      out.eipArns.add(arn('ec2', `elastic-ip/${check('eipalloc', v.allocationId, `${where}.allocationId`)}`));
      for (const e of eniArns) out.eipEniArns.add(e);
    } else fail(where, `unsupported mode ${JSON.stringify(v.mode)}`);
  });
  m.keys.forEach((k, ki) => {
    if (typeof k.secret !== 'string' || !k.secret.startsWith('ssm:')) return;
    const name = k.secret.slice(4);
    if (!name.startsWith(p.prefix)) fail(`mirrors[${mi}].keys[${ki}].secret`, `${name} is outside ${p.prefix}`);
    out.ssmNames.push(name);
  });
}

function collect(p, config) {
  const out = {
    members: [],
    routeTableArns: new Set(),
    vpcArns: new Set(),
    vpcRouteTables: new Set(),
    eipArns: new Set(),
    eipEniArns: new Set(),
    ssmNames: [],
  };
  for (const [mi, m] of config.mirrors.entries()) collectMirror(p, m, mi, out);
  out.hasOperators = Array.isArray(config.operatorKeys) && config.operatorKeys.length > 0;
  return out;
}

function outcomeTopic(p, config) {
  const inConfig = config.notify?.topicArn ?? null;
  if (inConfig && p.outcomeTopicArn && inConfig !== p.outcomeTopicArn) {
    fail('outcomeTopicArn', `differs from notify.topicArn in the configuration (${inConfig})`);
  }
  return p.outcomeTopicArn ?? (inConfig ? check('topic', inConfig, 'notify.topicArn') : null);
}

function statement(Sid, Action, Resource, Condition) {
  return Condition ? { Sid, Effect: 'Allow', Action, Resource, Condition } : { Sid, Effect: 'Allow', Action, Resource };
}

function ssmStatements(p) {
  const base = `arn:${p.partition}:ssm:${p.region}:${p.accountId}:parameter`;
  // Parameter ARNs drop the name's leading slash: /mirror-vip/x is parameter/mirror-vip/x.
  const params = `${base}/${p.prefix.slice(1)}*`;
  const key = p.kmsKeyArn ?? `arn:${p.partition}:kms:${p.region}:${p.accountId}:key/*`;
  return [
    statement('ReadMemberKeys', ['ssm:GetParameter'], [params]),
    statement('DecryptMemberKeysViaSsm', ['kms:Decrypt'], [key], {
      StringEquals: { 'kms:ViaService': `ssm.${p.region}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': params },
    }),
  ];
}

/** The function role's statements: only the calls the function makes, scoped as far as each action allows. */
function buildStatements(p, c, topic, functionArn) {
  const list = [
    // Describe* support no resource-level permissions in EC2: "*" is the only valid Resource; pin the region.
    statement(
      'ObserveVip',
      ['ec2:DescribeRouteTables', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeAddresses', 'ec2:DescribeVpcs'],
      ['*'],
      { StringEquals: { 'aws:RequestedRegion': [p.region] } },
    ),
  ];
  // CreateRoute/ReplaceRoute authorize only the route table: the target ENI cannot be restricted by IAM.
  if (c.routeTableArns.size)
    list.push(statement('MoveVipRoute', ['ec2:CreateRoute', 'ec2:ReplaceRoute'], [...c.routeTableArns]));
  if (c.vpcArns.size) {
    list.push(
      statement('MoveVipRouteInVpc', ['ec2:CreateRoute', 'ec2:ReplaceRoute'], [...c.vpcRouteTables], {
        ArnEquals: { 'ec2:Vpc': [...c.vpcArns] },
      }),
    );
  }
  if (c.eipArns.size) list.push(statement('MovePublicVip', ['ec2:AssociateAddress'], [...c.eipArns, ...c.eipEniArns]));
  if (topic) list.push(statement('PublishOutcome', ['sns:Publish'], [topic]));
  // Asynchronous invocations that fail after Lambda's retries go to the dead-letter queue (destinations.onFailure).
  list.push(statement('DeadLetter', ['sqs:SendMessage'], [p.deadLetterArn]));
  // Maintenance pauses (mirror-vip pause|resume), only when operator keys are configured.
  if (c.hasOperators) {
    const pauses = `arn:${p.partition}:ssm:${p.region}:${p.accountId}:parameter/${p.prefix.slice(1)}pause/*`;
    list.push(statement('OperatorPauses', ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'], [pauses]));
  }
  if (c.ssmNames.length) list.push(...ssmStatements(p));
  // the preflight (mirror-vip check) reads the function's own reserved concurrency
  list.push(statement('ReadOwnConcurrency', ['lambda:GetFunctionConcurrency'], [functionArn]));
  if (p.vpc) {
    list.push({
      Sid: 'NoEniWritesFromFunctionCode',
      Effect: 'Deny',
      Action: ENI_WRITE_ACTIONS,
      Resource: ['*'],
      Condition: { ArnEquals: { 'lambda:SourceFunctionArn': functionArn } },
    });
  }
  return list;
}

function pascal(s) {
  return s
    .replace(/[^A-Za-z0-9]+(.)?/g, (_, ch) => (ch ? ch.toUpperCase() : ''))
    .replace(/^./, (ch) => ch.toUpperCase());
}

/** One EC2 status-check alarm per member, named so the function can map it back to its mirror. */
function alarmResources(p, c) {
  const Resources = {};
  c.members.forEach((m, i) => {
    const id = `StatusAlarm${pascal(m.mirror)}${pascal(m.name)}`;
    Resources[Resources[id] ? `${id}${i}` : id] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `mirror-vip:${m.mirror}:${m.name}-status`,
        AlarmDescription: `EC2 status check of ${m.name} (${m.instanceId}) failed: reconcile ${m.mirror}`,
        Namespace: 'AWS/EC2',
        MetricName: 'StatusCheckFailed',
        Dimensions: [{ Name: 'InstanceId', Value: m.instanceId }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: p.evaluationPeriods,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        // A stopped or vanished instance reports nothing: treat that as failed too.
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  });
  return { Resources };
}

async function derive({ resolveConfigurationProperty, resolveVariable }) {
  const raw = await resolveConfigurationProperty(['custom', 'deploy']);
  const p = readParams(raw);
  const config = readConfig(raw);
  const service = await resolveConfigurationProperty(['service']);
  const stage = await resolveVariable('sls:stage');
  p.deadLetterArn = `arn:${p.partition}:sqs:${p.region}:${p.accountId}:${service}-${stage}-dead-letter`;
  const c = collect(p, config);
  const topic = outcomeTopic(p, config);
  const functionArn = `arn:${p.partition}:lambda:${p.region}:${p.accountId}:function:${service}-${stage}-${FUNCTION_KEY}`;
  const document = topic ? { ...config, notify: { topicArn: topic } } : config;
  const configJson = JSON.stringify(document);
  if (configJson.length > MAX_INLINE_CONFIG) fail('configFile', `${configJson.length} bytes is too big to inline`);
  return { p, c, topic, functionArn, configJson };
}

module.exports = {
  statements: async (ctx) => {
    const d = await derive(ctx);
    return buildStatements(d.p, d.c, d.topic, d.functionArn);
  },
  configJson: async (ctx) => (await derive(ctx)).configJson,
  url: async (ctx) => ((await derive(ctx)).p.urlAuthType === 'AWS_IAM' ? { authorizer: 'aws_iam' } : true),
  // null (no VPC) makes serverless.yml fall back to leaving provider.vpc out.
  vpc: async (ctx) => (await derive(ctx)).p.vpc,
  // Operational alarms notify custom.deploy.alarmActions, else the outcome topic, else nobody.
  operatorAlarmActions: async (ctx) => {
    const d = await derive(ctx);
    return d.p.alarmActions.length ? d.p.alarmActions : d.topic ? [d.topic] : [];
  },
  alarms: async (ctx) => {
    const d = await derive(ctx);
    return alarmResources(d.p, d.c);
  },
};
