variable "region" {
  description = "Region of the function; every mirror in the configuration must be in it (alarms and the VPC are regional)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.region))
    error_message = "region must be an AWS region such as us-east-1."
  }
}

variable "config_file" {
  description = "Path to the mirror-vip configuration document (JSON). The IAM scope, the alarms and the function's MIRROR_VIP_CONFIG are all derived from it."
  type        = string
}

variable "function_name" {
  description = "Name of the Lambda function (also prefixes the roles and topics)."
  type        = string
  default     = "mirror-vip"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,50}$", var.function_name))
    error_message = "function_name must be 1-50 letters, digits, - or _."
  }
}

variable "bundle_path" {
  description = "Path to the built bundle (npm run build writes dist/aws/handler.mjs); null means that file in this repository."
  type        = string
  default     = null
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function: 1 makes the platform run one instance at a time (defence in depth), null reserves none. Lambda keeps 100 of the account's concurrency unreserved, so accounts whose quota is below 101 (new accounts start at 10) refuse any reservation; the engine stays safe without it (docs/deploy-aws.md)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 1 && floor(var.reserved_concurrency) == var.reserved_concurrency, false)
    error_message = "reserved_concurrency must be null (no reservation) or a whole number >= 1."
  }
}

variable "url_auth_type" {
  description = "AuthType of the function URL: NONE (the HMAC signature authenticates) or AWS_IAM (members also sign with SigV4 using the member role)."
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "AWS_IAM"], var.url_auth_type)
    error_message = "url_auth_type must be NONE or AWS_IAM."
  }
}

variable "outcome_topic_arn" {
  description = "Existing SNS topic that receives every outcome (notify.topicArn); the role may publish to it and nothing else. null: none, unless create_outcome_topic."
  type        = string
  default     = null

  validation {
    condition     = var.outcome_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]+$", var.outcome_topic_arn))
    error_message = "outcome_topic_arn must be an SNS topic ARN."
  }
}

variable "create_outcome_topic" {
  description = "Create an SNS topic <function_name>-outcomes for the outcomes (ignored when outcome_topic_arn is set)."
  type        = bool
  default     = false
}

variable "ssm_parameter_prefix" {
  description = "Path prefix of the SecureString parameters holding the member keys; every ssm: key in the configuration must be under it."
  type        = string
  default     = "/mirror-vip/"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]*/$", var.ssm_parameter_prefix))
    error_message = "ssm_parameter_prefix must start and end with /."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting the key parameters; null allows any key of the account, still only through SSM for those parameters (covers aws/ssm)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[0-9a-f-]{36}$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "subnet_ids" {
  description = "Subnets for the function so its health probe reaches the members' mirror_status endpoint. Empty: no VPC."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups for the function (egress to the members' web port). Required with subnet_ids."
  type        = list(string)
  default     = []

  validation {
    condition     = (length(var.subnet_ids) == 0) == (length(var.security_group_ids) == 0)
    error_message = "Set subnet_ids and security_group_ids together, or neither."
  }
}

variable "alarm_evaluation_periods" {
  description = "Minutes of failed EC2 status checks before a member's alarm triggers a reconcile."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60 && floor(var.alarm_evaluation_periods) == var.alarm_evaluation_periods
    error_message = "alarm_evaluation_periods must be a whole number of minutes, 1-60."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
}

variable "create_member_role" {
  description = "Create the members' IAM role and instance profile, which may only invoke this function's URL."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Deprecated here (kept for old tfvars files): set default_tags in the root module, see examples/basic."
  type        = map(string)
  default     = {}
}

variable "schedule_expression" {
  description = "EventBridge schedule of the periodic reconcile of every mirror, e.g. rate(1 minute) or rate(5 minutes)."
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours)\\)|cron\\(.+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(N minutes) or cron(...)."
  }
}

variable "alarm_actions" {
  description = "SNS topics the operational alarms (function errors, failed and no-primary outcomes, dead letters) notify; empty = the outcome topic, if any."
  type        = list(string)
  default     = []
}
