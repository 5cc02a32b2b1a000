# What the function touches, derived from the configuration document alone. This file must reference nothing but
# var.* and local.account_id / local.partition / local.outcome_topic_arn (main.tf): the tests evaluate it with
# `terraform console` and no provider.

locals {
  config  = jsondecode(file(var.config_file))
  mirrors = local.config.mirrors
  arn_ec2 = "arn:${local.partition}:ec2:${var.region}:${local.account_id}"
  use_vpc = length(var.subnet_ids) > 0
  # Built from parts, not from the resource, so the role can name the function before it exists (no cycle).
  function_arn = "arn:${local.partition}:lambda:${var.region}:${local.account_id}:function:${var.function_name}"

  # The document the function validates at cold start, with notify.topicArn set to the topic the role may publish to.
  function_config = jsonencode(merge(
    local.config,
    { for k, v in { notify = { topicArn = local.outcome_topic_arn } } : k => v if local.outcome_topic_arn != null },
  ))

  # Every environment variable of the function; Lambda measures their JSON together against its 4 KB limit.
  function_environment = {
    MIRROR_VIP_CONFIG = local.function_config
    # Where pause|resume keep a mirror's pause (<prefix>pause/<mirror>), the prefix the role's OperatorPauses allows.
    MIRROR_VIP_PAUSE_PREFIX = var.ssm_parameter_prefix
  }
  function_environment_bytes = length(jsonencode(local.function_environment))

  # The public permissions a NONE function URL needs, keyed by auth type: none for AWS_IAM.
  url_public_permissions = { for k, v in {
    "FunctionURLAllowPublicAccess-${var.url_auth_type}" = {
      action                   = "lambda:InvokeFunctionUrl"
      function_url_auth_type   = var.url_auth_type
      invoked_via_function_url = null
    }
    "FunctionURLInvokeAllowPublicAccess-${var.url_auth_type}" = {
      action                   = "lambda:InvokeFunction"
      function_url_auth_type   = null
      invoked_via_function_url = true
    }
  } : k => v if var.url_auth_type == "NONE" }

  members = flatten([
    for m in local.mirrors : [
      for mem in m.members : {
        key         = "${m.name}/${mem.name}"
        mirror      = m.name
        name        = mem.name
        instance_id = mem.instanceId
        eni_id      = mem.eniId
      }
    ]
  ])

  route_table_ids = distinct(flatten([
    for m in local.mirrors : [for v in m.vips : try(v.routeTableIds, []) if v.mode == "route"]
  ]))
  vpc_ids = distinct(flatten([
    for m in local.mirrors : [for v in m.vips : v.vpcId if v.mode == "route" && try(v.vpcId, null) != null]
  ]))
  allocation_ids = distinct(flatten([
    for m in local.mirrors : [for v in m.vips : v.allocationId if v.mode == "eip"]
  ]))
  # Only the members of mirrors with a public VIP may receive the Elastic IP.
  eip_eni_ids = distinct(flatten([
    for m in local.mirrors : [for mem in m.members : mem.eniId] if anytrue([for v in m.vips : v.mode == "eip"])
  ]))
  ssm_parameter_names = flatten([
    for m in local.mirrors : [for k in m.keys : trimprefix(k.secret, "ssm:") if startswith(k.secret, "ssm:")]
  ])

  route_table_arns = [for id in local.route_table_ids : "${local.arn_ec2}:route-table/${id}"]
  vpc_arns         = [for id in local.vpc_ids : "${local.arn_ec2}:vpc/${id}"]
  eip_arns         = [for id in local.allocation_ids : "${local.arn_ec2}:elastic-ip/${id}"]
  eip_eni_arns     = [for id in local.eip_eni_ids : "${local.arn_ec2}:network-interface/${id}"]
  # Parameter ARNs drop the name's leading slash: /mirror-vip/x is parameter/mirror-vip/x.
  has_operators               = length(try(local.config.operatorKeys, [])) > 0
  pause_parameter_arn_pattern = "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${trimprefix(var.ssm_parameter_prefix, "/")}pause/*"
  # The queue's ARN from its name: the policy stays renderable without the resource (tests evaluate locals only).
  dead_letter_arn = "arn:${local.partition}:sqs:${var.region}:${local.account_id}:${var.function_name}-dead-letter"

  ssm_parameter_arn_pattern = "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${trimprefix(var.ssm_parameter_prefix, "/")}*"

  # Everything that would widen the role or break the alarms; a precondition refuses to deploy while it is not empty.
  config_problems = concat(
    [for m in local.mirrors : "mirror ${m.name} is in ${m.region}, not ${var.region}" if m.region != var.region],
    [for id in local.route_table_ids : "bad route table id ${id}" if !can(regex("^rtb-[0-9a-f]{8,17}$", id))],
    [for id in local.vpc_ids : "bad VPC id ${id}" if !can(regex("^vpc-[0-9a-f]{8,17}$", id))],
    [for id in local.allocation_ids : "bad allocation id ${id}" if !can(regex("^eipalloc-[0-9a-f]{8,17}$", id))],
    [for m in local.members : "bad ENI id ${m.eni_id}" if !can(regex("^eni-[0-9a-f]{8,17}$", m.eni_id))],
    [for m in local.members : "bad instance id ${m.instance_id}" if !can(regex("^i-[0-9a-f]{8,17}$", m.instance_id))],
    [for m in local.members : "bad name ${m.key}" if !can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}/[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", m.key))],
    [for n in local.ssm_parameter_names : "parameter ${n} is outside ${var.ssm_parameter_prefix}" if !startswith(n, var.ssm_parameter_prefix)],
  )
}
