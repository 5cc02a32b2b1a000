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
  # One writer per mirror, by the platform (defence in depth; the engine is safe without it, see docs/protocol.md).
  reserved_concurrent_executions = 1

  environment {
    variables = {
      MIRROR_VIP_CONFIG = local.function_config
    }
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
      # Lambda caps all environment variables of a function at 4 KB together.
      condition     = length(local.function_config) <= 3800
      error_message = "The configuration document is too big to pass in MIRROR_VIP_CONFIG (${length(local.function_config)} bytes)."
    }
  }
}

resource "aws_lambda_function_url" "this" {
  function_name = aws_lambda_function.this.function_name
  # NONE: the provider also adds the public lambda:InvokeFunctionUrl and lambda:InvokeFunction (InvokedViaFunctionUrl)
  # permissions. AWS_IAM: only principals allowed by an IAM policy (the member role below) may call the URL.
  authorization_type = var.url_auth_type
}

resource "aws_sns_topic" "outcome" {
  count = var.create_outcome_topic && var.outcome_topic_arn == null ? 1 : 0
  name  = "${var.function_name}-outcomes"
}
