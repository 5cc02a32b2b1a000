variable "region" {
  description = "OCI region of the mirror, e.g. eu-frankfurt-1."
  type        = string
}

variable "tenancy_ocid" {
  description = "Tenancy OCID (dynamic groups live in the tenancy)."
  type        = string
}

variable "compartment_ocid" {
  description = "Compartment of the mirror's network resources and of the function."
  type        = string
}

variable "name" {
  description = "Prefix of every resource this module creates."
  type        = string
  default     = "mirror-vip"
}

variable "function_image" {
  description = "OCIR image of the function (dist/oci/func.mjs on the Node FDK base image)."
  type        = string
}

variable "function_subnet_ids" {
  description = "Private subnet(s) of the Functions application; it reaches the members' health URLs and the OCI APIs."
  type        = list(string)
}

variable "gateway_subnet_id" {
  description = "Subnet of the API Gateway the members send their signed events to."
  type        = string
}

variable "vault_id" {
  description = "OCI Vault holding the member keys and, with operator keys, the mirrors' pause secrets."
  type        = string
}

variable "vault_key_id" {
  description = "Master encryption key of the Vault for the secrets."
  type        = string
}

variable "mirror_vip_config" {
  description = "The mirror-vip configuration document (JSON). A key whose secret is \"oci-vault:terraform\" gets a Vault secret from this module."
  type        = string
}

variable "deadline_seconds" {
  description = "Function timeout: OCI's default is 30 s, maximum 300 s; the OCI default deadline is 50 s."
  type        = number
  default     = 60
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency units (warm instances, a floor not a ceiling); 0 turns it off."
  type        = number
  default     = 0
}

variable "reconcile_cron" {
  description = "Resource Scheduler recurrence of the scheduled reconcile."
  type        = string
  default     = "*/5 * * * *"
}

variable "paused_mirrors" {
  type        = list(string)
  default     = []
  description = "Break-glass pause (MIRROR_VIP_PAUSED): mirrors whose moves are paused whatever their pause secret says; the function answers \"paused\" and writes nothing for them, and `mirror-vip resume` cannot end it (409). The everyday pause is `mirror-vip pause|resume` through the function, in each mirror's Vault secret (docs/oci.md)."
}

variable "config_in_vault" {
  type        = bool
  default     = false
  description = "Keep the configuration document in a Vault secret that the function reads at cold start (GetSecretBundle, on that secret only) instead of inline: needed when the function configuration would exceed OCI's 4 KB (about 3 two-member mirrors)."
}
