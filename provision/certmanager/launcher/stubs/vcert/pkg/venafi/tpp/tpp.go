// Package tpp is a cm-vault-e2e stand-in (see the module's go.mod).
package tpp

import (
	"github.com/Venafi/vcert/v5/pkg/certificate"
	"github.com/Venafi/vcert/v5/pkg/endpoint"
)

// Connector is never constructed: vcert.NewClient always fails in this stand-in.
type Connector struct{}

var _ endpoint.Connector = (*Connector)(nil)

func (c *Connector) GetType() endpoint.ConnectorType { return endpoint.ConnectorTypeUndefined }
func (c *Connector) Ping() error                     { return endpoint.ErrNotLinked }
func (c *Connector) Authenticate(*endpoint.Authentication) error {
	return endpoint.ErrNotLinked
}
func (c *Connector) ReadZoneConfiguration() (*endpoint.ZoneConfiguration, error) {
	return nil, endpoint.ErrNotLinked
}
func (c *Connector) RequestCertificate(*certificate.Request) (string, error) {
	return "", endpoint.ErrNotLinked
}
func (c *Connector) RetrieveCertificate(*certificate.Request) (*certificate.PEMCollection, error) {
	return nil, endpoint.ErrNotLinked
}

type ErrCertNotFound struct{ error }

func (e *ErrCertNotFound) Error() string { return "certificate not found" }

type OauthGetRefreshTokenResponse struct {
	Access_token  string
	Refresh_token string
}

type OauthVerifyTokenResponse struct{}

func (c *Connector) ResetCertificate(*certificate.Request, bool) error { return endpoint.ErrNotLinked }

func (c *Connector) GetRefreshToken(*endpoint.Authentication) (OauthGetRefreshTokenResponse, error) {
	return OauthGetRefreshTokenResponse{}, endpoint.ErrNotLinked
}

func (c *Connector) VerifyAccessToken(*endpoint.Authentication) (OauthVerifyTokenResponse, error) {
	return OauthVerifyTokenResponse{}, endpoint.ErrNotLinked
}
