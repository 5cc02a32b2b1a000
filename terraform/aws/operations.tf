# Operational alarms and the dead letter: what tells an operator that the function itself needs attention.
# Every decision is one JSON log line ({"msg":"mirror-vip decision","outcome":...}); see docs/runbooks.md for queries.

locals {
  operator_alarm_actions = length(var.alarm_actions) > 0 ? var.alarm_actions : compact([local.outcome_topic_arn])
  # Outcome metrics from the decision log lines: name => CloudWatch Logs filter pattern.
  outcome_filters = {
    FailedOutcomes    = "{ $.msg = \"mirror-vip decision\" && $.outcome = \"failed\" }"
    NoPrimaryOutcomes = "{ $.msg = \"mirror-vip decision\" && $.error.code = \"no_primary\" }"
  }
}

# Asynchronous invocations (SNS alarms, the schedule) that fail after Lambda's retries land here.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.function_name}-dead-letter"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  alarm_name          = "mirror-vip:${var.function_name}:function-errors"
  alarm_description   = "The mirror-vip function threw or timed out: read its log group (docs/runbooks.md)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operator_alarm_actions
}

resource "aws_cloudwatch_log_metric_filter" "outcome" {
  for_each       = local.outcome_filters
  name           = "${var.function_name}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.function.name
  pattern        = each.value

  metric_transformation {
    name          = each.key
    namespace     = "mirror-vip/${var.function_name}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "outcome" {
  for_each            = local.outcome_filters
  alarm_name          = "mirror-vip:${var.function_name}:${each.key}"
  alarm_description   = "mirror-vip decisions with ${each.key}: the VIP may not be on the primary (docs/runbooks.md)."
  namespace           = "mirror-vip/${var.function_name}"
  metric_name         = each.key
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operator_alarm_actions
  depends_on          = [aws_cloudwatch_log_metric_filter.outcome]
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "mirror-vip:${var.function_name}:dead-letters"
  alarm_description   = "An alarm or scheduled invocation failed after Lambda's retries: see the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operator_alarm_actions
}
