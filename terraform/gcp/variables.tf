variable "project" {
  description = "Project of the function, its service accounts, topic and secrets; every mirror in the configuration must be in it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project))
    error_message = "project must be a project id such as iris-prod-123."
  }
}

variable "region" {
  description = "Region of the functions, the scheduler job and the members' subnet."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+(-[a-z]+)*\\d$", var.region))
    error_message = "region must be a region such as us-west1."
  }
}

variable "config_file" {
  description = "Path to the mirror-vip configuration document (JSON). The roles' permissions and bindings, the alert policy and the functions' MIRROR_VIP_CONFIG are all derived from it."
  type        = string
}

variable "function_name" {
  description = "Name of the HTTP function (the event function is <name>-events); also prefixes the service accounts, roles and topic."
  type        = string
  default     = "mirror-vip"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{2,20}[a-z0-9]$", var.function_name))
    error_message = "function_name must be 4-22 of a-z 0-9 - starting with a letter (it prefixes service account ids)."
  }
}

variable "bundle_path" {
  description = "Path to the built bundle (npm run build writes dist/gcp/index.mjs); null means that file in this repository."
  type        = string
  default     = null
}

variable "subnetwork" {
  description = "Name of the members' subnet (in var.region). The alias range and the external address are taken from it, so the function may use it; null when no VIP is alias-ip."
  type        = string
  default     = null
}

variable "vip_is_reserved_address" {
  description = "The private VIP is a reserved static internal address (recommended: the subnet then never hands it to another VM). Adds compute.addresses.useInternal."
  type        = bool
  default     = true
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector (projects/P/locations/R/connectors/C) so the health probe reaches the members' private mirror_status endpoint; null: no VPC egress."
  type        = string
  default     = null
}

variable "ingress_settings" {
  description = "Who can reach the HTTP function: ALLOW_ALL (still IAM run.invoker + HMAC) or ALLOW_INTERNAL_ONLY (from the VPC)."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress_settings)
    error_message = "ingress_settings must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "reconcile_schedule" {
  description = "Cron schedule (Cloud Scheduler) of the periodic reconcile of every mirror."
  type        = string
  default     = "* * * * *"
}

variable "member_down_after" {
  description = "How long a member instance may report no uptime before its alert reconciles the mirror (seconds, 60-600)."
  type        = number
  default     = 120

  validation {
    condition     = var.member_down_after >= 60 && var.member_down_after <= 600
    error_message = "member_down_after must be 60 to 600 seconds."
  }
}

variable "key_values" {
  description = "Optional: member key values by key id, stored as the first version of each gcp-sm secret. Empty (default) keeps keys out of the Terraform state: add them with gcloud secrets versions add."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "secret_env" {
  description = "Environment variables both functions read from Secret Manager at instance start: NAME => secret id in var.project (version latest). Every env:NAME key reference (operator keys, member keys) must be here: a variable set outside Terraform is removed by the next apply. The functions may read these secrets and no others."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for n, s in var.secret_env :
    can(regex("^[A-Z_][A-Z0-9_]{0,99}$", n)) && can(regex("^[A-Za-z0-9_-]{1,255}$", s)) && !startswith(n, "MIRROR_VIP_CONFIG") && !startswith(n, "MIRROR_VIP_PAUSE")])
    error_message = "secret_env maps an environment variable NAME (A-Z, 0-9, _; not a MIRROR_VIP_CONFIG/PAUSE* name the module sets) to a Secret Manager secret id (letters, digits, _ and -)."
  }
}

variable "create_member_service_account" {
  description = "Create the members' service account, which may only invoke the HTTP function (roles/run.invoker on its service)."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "allow_unauthenticated" {
  description = "Let anyone reach the HTTP function (allUsers run.invoker), leaving the HMAC signature as the only gate, as with an AWS function URL of auth type NONE. false: callers need an ID token of an allowed identity (the member service account)."
  type        = bool
  default     = false
}

variable "notification_channels" {
  description = "Cloud Monitoring notification channels (ids) of the outcome and error alerts; empty = alerts without notifications."
  type        = list(string)
  default     = []
}

variable "paused_mirrors" {
  type        = list(string)
  default     = []
  description = "Mirrors paused by the deployment (break-glass, MIRROR_VIP_PAUSED): the function answers \"paused\" and writes nothing for them, and `mirror-vip resume` through it is refused (409 paused_in_configuration). The everyday pause is `mirror-vip pause|resume`, kept in each mirror's pause secret (created with operator keys; docs/gcp.md)."
}

variable "operator_invokers" {
  type        = list(string)
  default     = []
  description = "Operators who may send mirror-vip inspect|reconcile|pause|resume to the HTTP function (e.g. [\"group:dba@example.com\"]): roles/run.invoker on it only. Their requests still need an operator key (operatorKeys)."
}
