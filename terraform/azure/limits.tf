# Plan-time refusals. A terraform_data (built into Terraform, no provider) holds them so that `terraform plan` stops
# before anything is created, naming what is wrong.
locals {
  config_text = file(var.config_file)
  # App Service keeps one app setting value to 10,000 characters (docs/azure.md: the figure and its source)
  app_setting_limit = 10000
}

resource "terraform_data" "limits" {
  lifecycle {
    precondition {
      condition     = length(local.config_text) <= local.app_setting_limit
      error_message = "config_file holds ${length(local.config_text)} characters; the MIRROR_VIP_CONFIG app setting may hold ${local.app_setting_limit} (App Service's per-setting limit). Split the mirrors over two deployments (one per mirror_name)."
    }
    # an app setting this module does not write is removed by the next apply: every key names the setting it fills
    precondition {
      condition     = length(local.non_env_keys) == 0
      error_message = "Keys ${join(", ", local.non_env_keys)} must reference env:<app setting>: this module fills that setting with a Key Vault reference, which survives every apply."
    }
    # the ip-config move PUTs the NICs, whose ip-configurations join the subnet (subnets/join/action on it)
    precondition {
      condition     = length(local.ip_config_vips) == 0 || var.subnet_id != null
      error_message = "The mirror has an ip-config VIP: set subnet_id to the members' subnet (the NIC PUT needs subnets/join/action there)."
    }
    # the provider works in var.subscription_id; the roles are defined in the mirror's subscription
    precondition {
      condition     = lower(var.subscription_id) == lower(local.sub)
      error_message = "subscription_id (${var.subscription_id}) is not the mirror's subscriptionId in config_file (${local.sub})."
    }
    precondition {
      condition     = alltrue([for id in concat(var.subnet_id == null ? [] : [var.subnet_id], var.nsg_ids, var.asg_ids, var.lb_backend_pool_ids) : startswith(lower(id), lower("/subscriptions/${local.sub}/"))])
      error_message = "subnet_id, nsg_ids, asg_ids and lb_backend_pool_ids must be resource ids in the mirror's subscription (${local.sub})."
    }
  }
}
