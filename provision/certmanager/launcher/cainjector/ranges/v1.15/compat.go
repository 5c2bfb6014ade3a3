// Release-specific glue for cert-manager's cainjector, v1.15.x.
//
// Validation returns a field.ErrorList, then the logging config is applied.
// The manager never serves metrics (--metrics-listen-address and the
// Secret-less client cache arrive in v1.16).
package main

import (
	"fmt"

	"github.com/spf13/pflag"
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
	if errs := validation.ValidateCAInjectorConfiguration(c, nil); len(errs) > 0 {
		return fmt.Errorf("error validating flags: %w", errs.ToAggregate())
	}
	if err := logf.ValidateAndApply(&c.Logging); err != nil {
		return fmt.Errorf("failed to validate cainjector logging flags: %w", err)
	}
	return nil
}
