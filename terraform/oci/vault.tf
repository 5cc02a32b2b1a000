# One Vault secret per member key. Created with a random placeholder (so no key passes through Terraform
# variables); the operator then stores the key from `mirror-vip keygen` as a new secret version (docs/oci.md).
resource "random_password" "placeholder" {
  for_each = local.vault_keys
  length   = 43
  special  = false
}

resource "oci_vault_secret" "member_key" {
  for_each       = local.vault_keys
  compartment_id = var.compartment_ocid
  vault_id       = var.vault_id
  key_id         = var.vault_key_id
  secret_name    = each.value.secret_name
  description    = "mirror-vip key ${each.key} of ${each.value.member} (${each.value.mirror})"
  secret_content {
    content_type = "BASE64"
    content      = base64encode(random_password.placeholder[each.key].result)
  }
  lifecycle {
    ignore_changes = [secret_content]
  }
}

# One pause secret per mirror when operator keys are configured: `mirror-vip pause|resume` through the function add a
# version (UpdateSecret) that becomes CURRENT; the function reads the CURRENT one. Created not paused; terraform
# never rewrites it (ignore_changes), so an apply does not undo a pause. paused_mirrors (MIRROR_VIP_PAUSED) stays
# the break-glass that needs no Vault at all.
resource "oci_vault_secret" "pause" {
  for_each       = local.pause_mirrors
  compartment_id = var.compartment_ocid
  vault_id       = var.vault_id
  key_id         = var.vault_key_id
  secret_name    = "${var.name}-${each.key}-pause"
  description    = "mirror-vip maintenance pause of ${each.key} (mirror-vip pause|resume write it)"
  secret_content {
    content_type = "BASE64"
    content      = base64encode(jsonencode({ paused = false, by = "terraform", since = timestamp() }))
  }
  lifecycle {
    ignore_changes = [secret_content]
  }
}

# With config_in_vault: the configuration document itself (over OCI Functions' 4 KB configuration cap). Terraform
# owns it: each apply with a changed document adds a version, and the function config's MIRROR_VIP_CONFIG_SHA256
# changes with it, so the function restarts on the new document and refuses a version that does not match.
resource "oci_vault_secret" "config" {
  count          = var.config_in_vault ? 1 : 0
  compartment_id = var.compartment_ocid
  vault_id       = var.vault_id
  key_id         = var.vault_key_id
  secret_name    = "${var.name}-config"
  description    = "mirror-vip configuration document (the function reads it at cold start)"
  secret_content {
    content_type = "BASE64"
    content      = base64encode(local.rendered_config)
  }
}
