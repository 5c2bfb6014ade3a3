// Package verror is a cm-vault-e2e stand-in (see the module's go.mod).
package verror

import "errors"

var ServerUnavailableError = errors.New("server unavailable")
