// Release-specific glue for cert-manager's cainjector, v1.16.x, v1.19.x and
// v1.20.x.
//
// From v1.16: --metrics-listen-address (off here unless given) and Secrets
// read directly instead of through the client cache. v1.19 and v1.20 change
// only what this launcher leaves out (labels on the metrics CA Secret and on
// the leader election Lease).
package main

import (
	"fmt"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	"github.com/cert-manager/cert-manager/internal/apis/config/cainjector/validation"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
)

func launcherDefaults(c *config.CAInjectorConfiguration) { c.MetricsListenAddress = "0" }

func addReleaseFlags(fs *pflag.FlagSet, c *config.CAInjectorConfiguration) {
	fs.StringVar(&c.MetricsListenAddress, "metrics-listen-address", c.MetricsListenAddress, "host:port for the metrics server; '0' disables it (the real binary serves 0.0.0.0:9402).")
}

func metricsBindAddress(c *config.CAInjectorConfiguration) string { return c.MetricsListenAddress }

// clientOptions: as the real binary, Secrets are read directly, never cached.
func clientOptions() client.Options {
	return client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}}
}

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
