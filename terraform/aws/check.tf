# The preflight (`mirror-vip check`, docs/operate.md): the function proves its own failover path with DryRun and
# reads, on a schedule of its own, and a failing run raises an alarm. The function writes one log line per run;
# {"msg":"mirror-vip check failed"} is the failing one, and it also publishes to the outcome topic (notify.topicArn).

variable "check_schedule_expression" {
  description = "EventBridge schedule of the preflight check of every mirror, e.g. rate(1 hour) (the default) or rate(15 minutes)."
  type        = string
  default     = "rate(1 hour)"
  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.check_schedule_expression))
    error_message = "check_schedule_expression must be rate(N hours|minutes|days) or cron(...)."
  }
}

resource "aws_cloudwatch_event_rule" "check" {
  name                = "${var.function_name}-check"
  description         = "mirror-vip preflight check of every mirror (zero writes)"
  schedule_expression = var.check_schedule_expression
}

# The constant input the function recognises as a check (functions/aws/aws-events.ts CHECK_EVENT_KEY).
resource "aws_cloudwatch_event_target" "check" {
  rule  = aws_cloudwatch_event_rule.check.name
  arn   = aws_lambda_function.this.arn
  input = jsonencode({ mirrorVip = "check" })
}

resource "aws_lambda_permission" "check" {
  statement_id  = "AllowCheckSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.check.arn
}

# The one read of the check that is not an EC2 call: the function's own reserved concurrency. (Its EC2 reads,
# DescribeVpcs included, are in the function policy of iam.tf; DryRun needs no permission beyond the write's own.)
data "aws_iam_policy_document" "check" {
  statement {
    sid       = "ReadOwnConcurrency"
    actions   = ["lambda:GetFunctionConcurrency"]
    resources = [aws_lambda_function.this.arn]
  }
}

resource "aws_iam_role_policy" "check" {
  name   = "${var.function_name}-check"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.check.json
}

resource "aws_cloudwatch_log_metric_filter" "check_failed" {
  name           = "${var.function_name}-CheckFailed"
  log_group_name = aws_cloudwatch_log_group.function.name
  pattern        = "{ $.msg = \"mirror-vip check failed\" }"

  metric_transformation {
    name          = "CheckFailed"
    namespace     = "mirror-vip/${var.function_name}"
    value         = "1"
    default_value = "0"
  }
}

# One period as long as the default schedule: the alarm stays in ALARM until a check passes (or an hour without one).
resource "aws_cloudwatch_metric_alarm" "check_failed" {
  alarm_name          = "mirror-vip:${var.function_name}:check-failed"
  alarm_description   = "The mirror-vip preflight check found what would stop a failover: run mirror-vip check (docs/operate.md)."
  namespace           = "mirror-vip/${var.function_name}"
  metric_name         = "CheckFailed"
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operator_alarm_actions
  depends_on          = [aws_cloudwatch_log_metric_filter.check_failed]
}
