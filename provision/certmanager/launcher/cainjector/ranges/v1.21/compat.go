// Release-specific glue for cert-manager's cainjector, v1.21.x.
//
// As v1.16, plus --ignore-namespaces (SetupOptions.IgnoreNamespaces) and the
// notice that the ServerSideApply feature gate is deprecated.
package main

import (
	"fmt"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	"github.com/cert-manager/cert-manager/internal/apis/config/cainjector/validation"
	"github.com/cert-manager/cert-manager/internal/cainjector/feature"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

func launcherDefaults(c *config.CAInjectorConfiguration) { c.MetricsListenAddress = "0" }

func addReleaseFlags(fs *pflag.FlagSet, c *config.CAInjectorConfiguration) {
	fs.StringVar(&c.MetricsListenAddress, "metrics-listen-address", c.MetricsListenAddress, "host:port for the metrics server; '0' disables it (the real binary serves 0.0.0.0:9402).")
	fs.StringSliceVar(&c.IgnoreNamespaces, "ignore-namespaces", c.IgnoreNamespaces, "Namespaces to ignore secrets from (not with --namespace).")
}

func metricsBindAddress(c *config.CAInjectorConfiguration) string { return c.MetricsListenAddress }

// clientOptions: as the real binary, Secrets are read directly, never cached.
func clientOptions() client.Options {
	return client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}}
}

func setupOptions(c *config.CAInjectorConfiguration, reconcilers map[string]bool) cainjector.SetupOptions {
	return cainjector.SetupOptions{
		Namespace:                    c.Namespace,
		IgnoreNamespaces:             c.IgnoreNamespaces,
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
	if utilfeature.DefaultFeatureGate.Enabled(feature.ServerSideApply) {
		logf.Log.Info("the ServerSideApply feature flag has been deprecated and cainjector will always use server-side apply")
	}
	return nil
}
