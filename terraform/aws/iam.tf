# Two identities: the function's role (the only holder of network-write permission, scoped to the configured
# resources) and the members' role (may only call the function URL).

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "${var.function_name}-function"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "function" {
  # EC2 supports no resource-level permissions for Describe* calls: "*" is the only valid resource. Pin the region.
  statement {
    sid       = "ObserveVip"
    actions   = ["ec2:DescribeRouteTables", "ec2:DescribeNetworkInterfaces", "ec2:DescribeAddresses", "ec2:DescribeVpcs"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  # CreateRoute/ReplaceRoute authorize only the route table: IAM cannot restrict the route's target ENI.
  dynamic "statement" {
    for_each = length(local.route_table_arns) > 0 ? [1] : []
    content {
      sid       = "MoveVipRoute"
      actions   = ["ec2:CreateRoute", "ec2:ReplaceRoute"]
      resources = local.route_table_arns
    }
  }

  # A VIP configured by vpcId: any route table of that VPC, enforced by the ec2:Vpc condition.
  dynamic "statement" {
    for_each = length(local.vpc_arns) > 0 ? [1] : []
    content {
      sid       = "MoveVipRouteInVpc"
      actions   = ["ec2:CreateRoute", "ec2:ReplaceRoute"]
      resources = ["${local.arn_ec2}:route-table/*"]
      condition {
        test     = "ArnEquals"
        variable = "ec2:Vpc"
        values   = local.vpc_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.eip_arns) > 0 ? [1] : []
    content {
      sid       = "MovePublicVip"
      actions   = ["ec2:AssociateAddress"]
      resources = concat(local.eip_arns, local.eip_eni_arns)
    }
  }

  dynamic "statement" {
    for_each = local.outcome_topic_arn != null ? [1] : []
    content {
      sid       = "PublishOutcome"
      actions   = ["sns:Publish"]
      resources = [local.outcome_topic_arn]
    }
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameter_names) > 0 ? [1] : []
    content {
      sid       = "ReadMemberKeys"
      actions   = ["ssm:GetParameter"]
      resources = [local.ssm_parameter_arn_pattern]
    }
  }

  # Maintenance pauses (mirror-vip pause|resume): one String parameter per paused mirror, only with operator keys.
  dynamic "statement" {
    for_each = local.has_operators ? [1] : []
    content {
      sid       = "OperatorPauses"
      actions   = ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"]
      resources = [local.pause_parameter_arn_pattern]
    }
  }

  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [local.dead_letter_arn]
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameter_names) > 0 ? [1] : []
    content {
      sid       = "DecryptMemberKeysViaSsm"
      actions   = ["kms:Decrypt"]
      resources = var.kms_key_arn != null ? [var.kms_key_arn] : ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${var.region}.amazonaws.com"]
      }
      condition {
        test     = "StringLike"
        variable = "kms:EncryptionContext:PARAMETER_ARN"
        values   = [local.ssm_parameter_arn_pattern]
      }
    }
  }

  # In a VPC, Lambda itself creates and deletes the function's ENIs with this role; these actions have no usable
  # resource scope for it. The Deny below keeps the function's own code from ever using them.
  dynamic "statement" {
    for_each = local.use_vpc ? [1] : []
    content {
      sid = "LambdaManagesVpcEnis"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "ec2:DescribeSubnets",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.use_vpc ? [1] : []
    content {
      sid    = "NoEniWritesFromFunctionCode"
      effect = "Deny"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      resources = ["*"]
      condition {
        test     = "ArnEquals"
        variable = "lambda:SourceFunctionArn"
        values   = [local.function_arn]
      }
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "${var.function_name}-move-vip"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

# --- Member side: the database VMs may call the function URL and nothing else (no EC2 write of any kind). ---

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "member" {
  statement {
    sid       = "InvokeMirrorVipUrl"
    actions   = ["lambda:InvokeFunctionUrl"]
    resources = [aws_lambda_function.this.arn]
    condition {
      test     = "StringEquals"
      variable = "lambda:FunctionUrlAuthType"
      values   = [var.url_auth_type]
    }
  }

  # Function URLs created since October 2025 also check lambda:InvokeFunction; allow it only through the URL.
  statement {
    sid       = "InvokeMirrorVipThroughUrlOnly"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn]
    condition {
      test     = "Bool"
      variable = "lambda:InvokedViaFunctionUrl"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "member" {
  count              = var.create_member_role ? 1 : 0
  name               = "${var.function_name}-member"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_role_policy" "member" {
  count  = var.create_member_role ? 1 : 0
  name   = "${var.function_name}-invoke-url"
  role   = aws_iam_role.member[0].id
  policy = data.aws_iam_policy_document.member.json
}

resource "aws_iam_instance_profile" "member" {
  count = var.create_member_role ? 1 : 0
  name  = "${var.function_name}-member"
  role  = aws_iam_role.member[0].name
}
