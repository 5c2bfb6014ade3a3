// Stand-in for github.com/Venafi/vcert/v5, used by cm-vault-e2e only where the module proxy does
// not serve the vcert release cert-manager requires (v5.13.7 for cert-manager v1.21). It declares
// just the API cert-manager's Venafi issuer compiles against; every call fails with ErrNotLinked,
// so a Venafi Issuer reports an error while Vault, CA, self-signed and ACME issuers are untouched.
module github.com/Venafi/vcert/v5

go 1.21
