// Release-specific glue for cert-manager v1.21.x's cainjector.
package main

import (
	"fmt"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	"github.com/cert-manager/cert-manager/internal/apis/config/cainjector/validation"
	"github.com/cert-manager/cert-manager/internal/cainjector/feature"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

func validateConfig(c *config.CAInjectorConfiguration) error {
	if errs := validation.ValidateCAInjectorConfiguration(c, nil); len(errs) > 0 {
		return fmt.Errorf("error validating flags: %w", errs.ToAggregate())
	}
	if err := logf.ValidateAndApply(&c.Logging); err != nil {
		return fmt.Errorf("failed to validate cainjector logging flags: %w", err)
	}
	if utilfeature.DefaultFeatureGate.Enabled(feature.ServerSideApply) {
		logf.Log.Info("the ServerSideApply feature flag has been deprecated and cainjector will always use server-side apply")
	}
	return nil
}
