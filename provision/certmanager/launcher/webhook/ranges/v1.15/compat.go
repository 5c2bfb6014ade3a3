// Release-specific glue for cert-manager's webhook, v1.15.x to v1.21.x.
//
// cmd/webhook's PreRunE is the same in v1.15, v1.16, v1.19, v1.20 and v1.21:
// validation returns a field.ErrorList, then the logging config is applied.
package main

import (
	"fmt"

	config "github.com/cert-manager/cert-manager/internal/apis/config/webhook"
	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
)

func validateConfig(c *config.WebhookConfiguration) error {
	if errs := validation.ValidateWebhookConfiguration(c, nil); len(errs) > 0 {
		return fmt.Errorf("error validating flags: %w", errs.ToAggregate())
	}
	if err := logf.ValidateAndApply(&c.Logging); err != nil {
		return fmt.Errorf("failed to validate webhook logging flags: %w", err)
	}
	return nil
}
