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
