output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "function_url" {
  description = "URL the members' notifier posts signed events to."
  value       = aws_lambda_function_url.this.function_url
}

output "alarm_topic_arn" {
  description = "SNS topic the member alarms publish to (add your own alarms to it to trigger a reconcile)."
  value       = aws_sns_topic.alarms.arn
}

output "outcome_topic_arn" {
  description = "SNS topic receiving every outcome, or null."
  value       = local.outcome_topic_arn
}

output "function_role_arn" {
  description = "The function's role: the only identity allowed to move the VIP."
  value       = aws_iam_role.function.arn
}

output "member_instance_profile_name" {
  description = "Instance profile for the database VMs (may only invoke the function URL), or null."
  value       = var.create_member_role ? aws_iam_instance_profile.member[0].name : null
}

output "member_policy_json" {
  description = "The members' policy, to attach to an existing instance role instead of the one created here."
  value       = data.aws_iam_policy_document.member.json
}

output "key_parameter_names" {
  description = "SecureString parameters the function reads the member keys from; set their values out of band (aws ssm put-parameter)."
  value       = local.ssm_parameter_names
}
