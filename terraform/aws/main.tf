# mirror-vip on AWS Lambda: the function, its URL and its configuration. IAM is in iam.tf, triggers in alarms.tf.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  bundle_path = coalesce(var.bundle_path, "${path.module}/../../dist/aws/handler.mjs")

  outcome_topic_arn = (
    var.outcome_topic_arn != null ? var.outcome_topic_arn :
    var.create_outcome_topic ? aws_sns_topic.outcome[0].arn :
    try(local.config.notify.topicArn, null)
  )
}

data "archive_file" "bundle" {
  type        = "zip"
  source_file = local.bundle_path
  # Under .terraform/ so a plan writes nothing that git tracks.
  output_path = "${path.root}/.terraform/mirror-vip-aws.zip"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "this" {
  function_name    = var.function_name
  description      = "Moves the mirror VIP to the real primary (mirror-vip)"
  role             = aws_iam_role.function.arn
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  handler          = "handler.handler"
  filename         = data.archive_file.bundle.output_path
  source_code_hash = data.archive_file.bundle.output_base64sha256
  memory_size      = 256
  timeout          = 30
  # null: no reservation (accounts below ~101 concurrency refuse any); see var.reserved_concurrency.
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = local.function_environment
  }

  # Failed asynchronous invocations (alarm topic, schedule) after Lambda's two retries.
  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letter.arn
  }

  # The health probe needs a route to the members' mirror_status endpoint.
  dynamic "vpc_config" {
    for_each = local.use_vpc ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]

  lifecycle {
    precondition {
      condition     = length(local.config_problems) == 0
      error_message = "The configuration would widen the role or break the alarms: ${join("; ", local.config_problems)}."
    }
    precondition {
      # Lambda refuses environment variables whose JSON exceeds 4 KB together (Lambda quotas; docs/deploy-aws.md).
      condition     = local.function_environment_bytes <= 4096
      error_message = "The function's environment is ${local.function_environment_bytes} bytes; Lambda's limit is 4 KB (4096 bytes) for all environment variables together: shorten the configuration document (names, descriptions) or split the mirrors across two deployments."
    }
  }
}

resource "aws_lambda_function_url" "this" {
  function_name = aws_lambda_function.this.function_name
  # NONE: anyone may call the URL once the two public permissions below exist (the HMAC signature authenticates).
  # AWS_IAM: only principals allowed by an IAM policy (the member role in iam.tf) may call it.
  authorization_type = var.url_auth_type
}

# A NONE URL needs both lambda:InvokeFunctionUrl and, for URLs created since October 2025, lambda:InvokeFunction
# limited to calls through the URL (Lambda developer guide, "Control access to Lambda function URLs"); neither the API
# nor this provider adds them. Keyed by the auth type (locals.tf) so switching AWS_IAM -> NONE in place plans their
# creation, and created after the URL has switched.
resource "aws_lambda_permission" "url_public" {
  for_each = local.url_public_permissions

  statement_id             = each.key
  function_name            = aws_lambda_function.this.function_name
  principal                = "*"
  action                   = each.value.action
  function_url_auth_type   = each.value.function_url_auth_type
  invoked_via_function_url = each.value.invoked_via_function_url

  depends_on = [aws_lambda_function_url.this]
}

resource "aws_sns_topic" "outcome" {
  count = var.create_outcome_topic && var.outcome_topic_arn == null ? 1 : 0
  name  = "${var.function_name}-outcomes"
}
