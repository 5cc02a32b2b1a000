# Plan-time refusals. A terraform_data (built into Terraform, no provider) holds them so that `terraform plan` stops
# before anything is created, naming the limit.
resource "terraform_data" "limits" {
  lifecycle {
    # OCI Functions: "the maximum size of the configuration [application plus function] is 4 KB"
    precondition {
      condition     = var.config_in_vault || local.config_bytes <= local.config_limit_bytes
      error_message = "The function configuration would hold about ${local.config_bytes} bytes; OCI Functions caps an application's plus its function's configuration at 4 KB (${local.config_limit_bytes} bytes). Set config_in_vault = true: the document then lives in a Vault secret the function reads at cold start (docs/oci.md)."
    }
    # OCI Vault: "the maximum allowable size for a secret bundle is 25 KB"
    precondition {
      condition     = !var.config_in_vault || length(base64encode(local.estimated_config)) <= 25 * 1024
      error_message = "The configuration document is ${length(local.estimated_config)} characters; base64-encoded it exceeds the 25 KB an OCI Vault secret bundle may hold. Split the mirrors over two deployments (var.name)."
    }
    # the function's configuration is written whole by every apply: an env: reference would name an entry nobody sets
    precondition {
      condition     = length(local.env_refs) == 0
      error_message = "Keys ${join(", ", local.env_refs)} reference env:, but this module writes the function's whole configuration, so no other entry survives an apply. Use \"oci-vault:terraform\" (this module creates the Vault secret) or \"oci-vault:<secret OCID>\"."
    }
  }
}
