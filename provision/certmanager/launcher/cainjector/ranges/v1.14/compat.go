// Release-specific glue for cert-manager's cainjector, v1.14.x.
//
// Compared with v1.15+: validation returns a plain error and the logging
// config is applied as the field "logging". As in v1.15, the manager never
// serves metrics (no --metrics-listen-address) and Secrets go through the
// client cache like every other kind.
package main

import (
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	"github.com/cert-manager/cert-manager/internal/apis/config/cainjector/validation"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
)

func launcherDefaults(*config.CAInjectorConfiguration) {}

func addReleaseFlags(*pflag.FlagSet, *config.CAInjectorConfiguration) {}

func metricsBindAddress(*config.CAInjectorConfiguration) string { return "0" }

func clientOptions() client.Options { return client.Options{} }

func setupOptions(c *config.CAInjectorConfiguration, reconcilers map[string]bool) cainjector.SetupOptions {
	return cainjector.SetupOptions{
		Namespace:                    c.Namespace,
		EnableCertificatesDataSource: c.EnableDataSourceConfig.Certificates,
		EnabledReconcilersFor:        reconcilers,
	}
}

func validateConfig(c *config.CAInjectorConfiguration) error {
	if err := validation.ValidateCAInjectorConfiguration(c); err != nil {
		return fmt.Errorf("error validating flags: %w", err)
	}
	if err := logf.ValidateAndApplyAsField(&c.Logging, field.NewPath("logging")); err != nil {
		return fmt.Errorf("failed to validate cainjector logging flags: %w", err)
	}
	return nil
}
