// Package vcert is a cm-vault-e2e stand-in for github.com/Venafi/vcert/v5 (see go.mod).
package vcert

import (
	"net/http"

	"github.com/Venafi/vcert/v5/pkg/endpoint"
)

// Config carries the fields cert-manager sets.
type Config struct {
	ConnectorType   endpoint.ConnectorType
	BaseUrl         string
	Zone            string
	Credentials     *endpoint.Authentication
	ConnectionTrust string
	LogVerbose      bool
	Client          *http.Client
}

// NewClient always fails: no Venafi client is linked into this build.
func NewClient(_ *Config, _ ...interface{}) (endpoint.Connector, error) {
	return nil, endpoint.ErrNotLinked
}
