// Release-specific glue for cert-manager's webhook, v1.14.x.
//
// Compared with v1.15+: validation returns a plain error, and the logging
// config is validated and applied as the field "logging".
package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	config "github.com/cert-manager/cert-manager/internal/apis/config/webhook"
	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
)

func validateConfig(c *config.WebhookConfiguration) error {
	if err := validation.ValidateWebhookConfiguration(c); err != nil {
		return fmt.Errorf("error validating flags: %w", err)
	}
	if err := logf.ValidateAndApplyAsField(&c.Logging, field.NewPath("logging")); err != nil {
		return fmt.Errorf("failed to validate webhook logging flags: %w", err)
	}
	return nil
}
