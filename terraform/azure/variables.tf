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
  description = "The mirror-vip configuration document (JSON; see mirror-vip.example.json). Each key (member or operator) references env:<app setting>; this module fills that setting with a Key Vault reference."
}

variable "package_url" {
  type        = string
  description = "URL of the zip with dist/azure/index.mjs, package.json and host.json (WEBSITE_RUN_FROM_PACKAGE)."
}

variable "mirror_name" {
  type        = string
  description = "The mirror's name, as in the configuration: its members, VIPs and keys are read from there."
  validation {
    condition     = contains([for m in jsondecode(file(var.config_file)).mirrors : m.name], var.mirror_name)
    error_message = "mirror_name must name a mirror of config_file."
  }
}

variable "subnet_id" {
  type        = string
  default     = null
  description = "The members' subnet (ip-config mode): the NIC PUT joins each ip-configuration to it."
}

variable "nsg_ids" {
  type        = list(string)
  default     = []
  description = "Network security groups attached to the member NICs (ip-config mode): a NIC PUT needs networkSecurityGroups/join/action on each."
}

variable "asg_ids" {
  type        = list(string)
  default     = []
  description = "Application security groups of the members' ip-configurations (ip-config mode): joinIpConfiguration/action on each."
}

variable "lb_backend_pool_ids" {
  type        = list(string)
  default     = []
  description = "Load-balancer backend pools the members' ip-configurations belong to (ip-config mode): backendAddressPools/join/action on each."
}

variable "alerts_enabled" {
  type        = bool
  default     = false
  description = "Second apply: the VM availability alerts and their action group, whose webhook needs the function key of the running app (azurerm_function_app_host_keys cannot read it in the apply that creates the app: hashicorp/terraform-provider-azurerm#16599)."
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
