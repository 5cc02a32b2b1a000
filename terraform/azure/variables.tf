variable "subscription_id" {
  type        = string
  description = "Subscription of the mirror's network resources and of the function app."
}

variable "resource_group_name" {
  type        = string
  description = "Existing resource group for the function app, its identity, Key Vault and alerts."
}

variable "location" {
  type        = string
  description = "Azure location (region) of the function app; the members' region."
}

variable "name_prefix" {
  type        = string
  default     = "mirror-vip"
  description = "Prefix of every resource this module creates."
}

variable "config_file" {
  type        = string
  description = "The mirror-vip configuration document (JSON; see mirror-vip.example.json). Its keys reference env:MIRROR_VIP_KEY_<MEMBER>_<N>."
}

variable "package_url" {
  type        = string
  description = "URL of the zip with dist/azure/index.mjs, package.json and host.json (WEBSITE_RUN_FROM_PACKAGE)."
}

variable "members" {
  type = map(object({
    nic_id = string
    vm_id  = string
    # key ids of this member, e.g. ["iris-a-k1"]; each becomes a Key Vault secret mirror-vip-<key id>
    key_ids = list(string)
  }))
  description = "Mirror members by name: their NIC (written by the function), their VM (alerted on; it gets no role)."
  validation {
    condition     = length(var.members) >= 2
    error_message = "A mirror has at least two members."
  }
}

variable "mirror_name" {
  type        = string
  description = "The mirror's name, as in the configuration (alert rules are named mirror-vip:<mirror>:<member>)."
}

variable "subnet_id" {
  type        = string
  default     = null
  description = "The members' subnet (ip-config mode): the NIC PUT joins each ip-configuration to it."
}

variable "public_ip_id" {
  type        = string
  default     = null
  description = "The public VIP (Standard, static) attached to the VIP ip-configuration, if any."
}

variable "route_table_ids" {
  type        = list(string)
  default     = []
  description = "Route tables holding the VIP/32 route (route mode)."
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "paused_mirrors" {
  type        = list(string)
  default     = []
  description = "Break-glass pause (MIRROR_VIP_PAUSED): the function answers \"paused\" and writes nothing for these mirrors, and `mirror-vip resume` through the function is refused (409) until they are removed here. The everyday pause is `mirror-vip pause|resume` through the function (with operator keys), which writes the mirror's pause secret in Key Vault (docs/azure.md)."
}
