// Package certificate is a cm-vault-e2e stand-in (see the module's go.mod).
package certificate

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"time"

	"github.com/Venafi/vcert/v5/pkg/util"
)

type CSrOriginOption int

const (
	LocalGeneratedCSR CSrOriginOption = iota
	ServiceGeneratedCSR
	UserProvidedCSR
)

type ChainOption int

const (
	ChainOptionRootLast ChainOption = iota
	ChainOptionRootFirst
	ChainOptionIgnore
)

type CustomFieldType int

const (
	CustomFieldPlain CustomFieldType = iota
	CustomFieldOrigin
)

type CustomField struct {
	Type  CustomFieldType
	Name  string
	Value string
}

type Request struct {
	Subject          pkix.Name
	FriendlyName     string
	CsrOrigin        CSrOriginOption
	PickupID         string
	ChainOption      ChainOption
	CustomFields     []CustomField
	ValidityDuration *time.Duration
	IssuerHint       util.IssuerHint
	Timeout          time.Duration
	csr              []byte
}

func NewRequest(cert *x509.Certificate) *Request {
	return &Request{Subject: cert.Subject}
}

func (r *Request) SetCSR(csr []byte) error {
	if len(csr) == 0 {
		return errors.New("empty CSR")
	}
	r.csr = csr
	return nil
}

type PEMCollection struct {
	Certificate string
	PrivateKey  string
	Chain       []string
}
