// Package endpoint is a cm-vault-e2e stand-in (see the module's go.mod).
package endpoint

import (
	"errors"
	"fmt"

	"github.com/Venafi/vcert/v5/pkg/certificate"
)

// ErrNotLinked is returned by every operation of this stand-in.
var ErrNotLinked = errors.New("Venafi support is not linked into this cm-vault-e2e build of cert-manager (github.com/Venafi/vcert/v5 is a stub here)")

type ConnectorType int

const (
	ConnectorTypeUndefined ConnectorType = iota
	ConnectorTypeFake
	ConnectorTypeCloud
	ConnectorTypeTPP
	ConnectorTypeFirefly
	ConnectorTypeNGTS
)

func (t ConnectorType) String() string { return fmt.Sprintf("ConnectorType(%d)", int(t)) }

type Authentication struct {
	User         string
	Password     string
	APIKey       string
	AccessToken  string
	ClientId     string
	ClientSecret string
	Scope        string
	TokenURL     string
}

// Connector is the part of vcert's Connector that cert-manager calls.
type Connector interface {
	GetType() ConnectorType
	Ping() error
	Authenticate(auth *Authentication) error
	ReadZoneConfiguration() (*ZoneConfiguration, error)
	RequestCertificate(req *certificate.Request) (string, error)
	RetrieveCertificate(req *certificate.Request) (*certificate.PEMCollection, error)
}

type ZoneConfiguration struct{}

func (z *ZoneConfiguration) UpdateCertificateRequest(*certificate.Request) {}

func (z *ZoneConfiguration) ValidateCertificateRequest(*certificate.Request) error {
	return ErrNotLinked
}

type ErrCertificatePending struct {
	CertificateID string
	Status        string
}

func (e ErrCertificatePending) Error() string { return "certificate request pending: " + e.Status }

type ErrRetrieveCertificateTimeout struct {
	CertificateID string
}

func (e ErrRetrieveCertificateTimeout) Error() string {
	return "timed out retrieving certificate " + e.CertificateID
}
