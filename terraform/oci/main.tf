# The function and its entry points. The members' instances get no policy at all: they can only reach the gateway.

resource "oci_functions_application" "mirror_vip" {
  compartment_id = var.compartment_ocid
  display_name   = var.name
  subnet_ids     = var.function_subnet_ids
  shape          = "GENERIC_X86"
}

resource "oci_functions_function" "mirror_vip" {
  application_id     = oci_functions_application.mirror_vip.id
  display_name       = var.name
  image              = var.function_image
  memory_in_mbs      = 256
  timeout_in_seconds = var.deadline_seconds
  config             = local.function_config
  dynamic "provisioned_concurrency_config" {
    for_each = var.provisioned_concurrency > 0 ? [1] : []
    content {
      strategy = "CONSTANT"
      count    = var.provisioned_concurrency
    }
  }
}

locals {
  # the configuration the function reads, with each Terraform-made key pointing at its Vault secret
  rendered_config = jsonencode(merge(local.config, {
    mirrors = [for m in local.config.mirrors : merge(m, {
      keys = [for key in m.keys : merge(key, {
        secret = key.secret == "oci-vault:terraform" ? "oci-vault:${oci_vault_secret.member_key[key.id].id}" : key.secret
      })]
    })]
    }, local.has_operators ? {
    operatorKeys = [for key in local.config.operatorKeys : merge(key, {
      secret = key.secret == "oci-vault:terraform" ? "oci-vault:${oci_vault_secret.member_key[key.id].id}" : key.secret
    })]
  } : {}))

  # The function's whole configuration (an apply replaces it): the document inline, or with config_in_vault its
  # Vault secret's reference plus the document's SHA-256, which the function checks at cold start and whose change
  # restarts the function on a new document.
  function_config = {
    MIRROR_VIP_CONFIG        = var.config_in_vault ? "oci-vault:${oci_vault_secret.config[0].id}" : local.rendered_config
    MIRROR_VIP_CONFIG_SHA256 = var.config_in_vault ? sha256(local.rendered_config) : ""
    MIRROR_VIP_PAUSED        = join(",", var.paused_mirrors)
    # mirror → its pause secret's OCID, which `mirror-vip pause|resume` through the function write
    MIRROR_VIP_PAUSE_SECRETS = jsonencode({ for m in local.pause_mirrors : m => oci_vault_secret.pause[m].id })
    # where a scheduled reconcile lists the reserved public IPs and route tables (ListPublicIps / ListRouteTables)
    MIRROR_VIP_COMPARTMENT_ID = var.compartment_ocid
  }
}

resource "oci_apigateway_gateway" "mirror_vip" {
  compartment_id = var.compartment_ocid
  display_name   = var.name
  endpoint_type  = "PRIVATE"
  subnet_id      = var.gateway_subnet_id
}

resource "oci_apigateway_deployment" "mirror_vip" {
  compartment_id = var.compartment_ocid
  gateway_id     = oci_apigateway_gateway.mirror_vip.id
  display_name   = var.name
  path_prefix    = "/mirror-vip"
  specification {
    routes {
      path    = "/event"
      methods = ["POST"]
      backend {
        type        = "ORACLE_FUNCTIONS_BACKEND"
        function_id = oci_functions_function.mirror_vip.id
      }
    }
    # operator requests (mirror-vip inspect|reconcile|pause): <function URL>/operator, the same function
    routes {
      path    = "/event/operator"
      methods = ["POST"]
      backend {
        type        = "ORACLE_FUNCTIONS_BACKEND"
        function_id = oci_functions_function.mirror_vip.id
      }
    }
  }
}
