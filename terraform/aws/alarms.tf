# The triggers besides the URL: EC2 status-check alarms of the members through SNS, and a schedule (var.schedule_expression).

resource "aws_sns_topic" "alarms" {
  name         = "${var.function_name}-alarms"
  display_name = "mirror-vip member alarms"
}

resource "aws_sns_topic_subscription" "function" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "alarms" {
  statement_id  = "AllowAlarmTopic"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.alarms.arn
}

# One alarm per member. The function maps it back to the mirror by the InstanceId dimension, or else by the name
# mirror-vip:<mirror>:<anything>.
resource "aws_cloudwatch_metric_alarm" "member_status" {
  for_each = { for m in local.members : m.key => m }

  alarm_name          = "mirror-vip:${each.value.mirror}:${each.value.name}-status"
  alarm_description   = "EC2 status check of ${each.value.name} (${each.value.instance_id}) failed: reconcile ${each.value.mirror}"
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = each.value.instance_id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.alarm_evaluation_periods
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # A stopped or vanished instance reports nothing: treat that as failed too.
  treat_missing_data = "breaching"
  alarm_actions      = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_event_rule" "reconcile" {
  name                = "${var.function_name}-reconcile"
  description         = "mirror-vip reconcile of every mirror"
  schedule_expression = var.schedule_expression
}

resource "aws_cloudwatch_event_target" "reconcile" {
  rule = aws_cloudwatch_event_rule.reconcile.name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "reconcile" {
  statement_id  = "AllowReconcileSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.reconcile.arn
}
