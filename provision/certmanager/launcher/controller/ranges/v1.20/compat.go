// Release-specific glue for cert-manager v1.20.x.
//
// Compared with v1.19: Run applies the PEM size limits from the configuration
// (internal/pem global limits) before anything parses PEM, registers Issuer and
// ClusterIssuer metrics collectors too, and the ContextFactory takes
// CertificateRequestMinimumBackoffDuration and EnableGatewayAPIListenerSet;
// the listenerset shim is enabled by the ListenerSets gate.
package main

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/sets"

	config "github.com/cert-manager/cert-manager/internal/apis/config/controller"
	defaults "github.com/cert-manager/cert-manager/internal/apis/config/controller/v1alpha1"
	"github.com/cert-manager/cert-manager/internal/apis/config/controller/validation"
	"github.com/cert-manager/cert-manager/internal/controller/feature"
	"github.com/cert-manager/cert-manager/internal/pem"
	"github.com/cert-manager/cert-manager/pkg/controller"
	shimgatewaycontroller "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	listenersetcontroller "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/listenerset"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

const (
	impliedDefaultControllers = true
	disabledRemovedLast       = true
	clusterScopedSkippedAtRun = false
)

func validateConfig(c *config.ControllerConfiguration) error {
	if errs := validation.ValidateControllerConfiguration(c, nil); len(errs) > 0 {
		return fmt.Errorf("error validating flags: %w", errs.ToAggregate())
	}
	if err := logf.ValidateAndApply(&c.Logging); err != nil {
		return fmt.Errorf("failed to validate controller logging flags: %w", err)
	}
	return nil
}

func extendContextOptions(o *controller.ContextOptions, c *config.ControllerConfiguration, _ logr.Logger) {
	o.IngressShimOptions.ExtraCertificateAnnotations = c.IngressShimConfig.ExtraCertificateAnnotations
	o.CertificateOptions.CertificateRequestMinimumBackoffDuration = c.CertificateRequestMinimumBackoffDuration
	o.ConfigOptions = controller.ConfigOptions{
		EnableGatewayAPI:            c.EnableGatewayAPI,
		EnableGatewayAPIListenerSet: c.EnableGatewayAPIListenerSet,
	}
}

func gatewayInformersEnabled(c *config.ControllerConfiguration) bool {
	return utilfeature.DefaultFeatureGate.Enabled(feature.ExperimentalGatewayAPISupport) && c.EnableGatewayAPI
}

func gatewayControllers(c *config.ControllerConfiguration) []string {
	var names []string
	if gatewayInformersEnabled(c) {
		logf.Log.Info("enabling the sig-network Gateway API certificate-shim and HTTP-01 solver")
		names = append(names, shimgatewaycontroller.ControllerName)
	}
	if utilfeature.DefaultFeatureGate.Enabled(feature.ListenerSets) && c.EnableGatewayAPI && c.EnableGatewayAPIListenerSet {
		logf.Log.Info("enabling the sig-network Gateway API ListenerSet certificate-shim")
		names = append(names, listenersetcontroller.ControllerName)
	}
	return names
}

func namespacedDisabledControllers() []string {
	logf.Log.Info("disabling all cluster-scoped controllers as cert-manager is scoped to a single namespace")
	return defaults.ClusterScopedControllers
}

func beforeRun(c *config.ControllerConfiguration, log logr.Logger) error {
	v := util.VersionInfo()
	log.Info("starting cert-manager controller", "version", v.GitVersion, "git_commit", v.GitCommit, "go_version", v.GoVersion, "platform", v.Platform)
	return applyPEMSizeLimits(c, log)
}

// applyPEMSizeLimits is cmd/controller/app's configurePEMSizeLimits.
func applyPEMSizeLimits(c *config.ControllerConfiguration, log logr.Logger) error {
	l := c.PEMSizeLimitsConfig
	switch {
	case l.MaxCertificateSize <= 0, l.MaxPrivateKeySize <= 0, l.MaxChainLength <= 0, l.MaxBundleSize <= 0:
		return fmt.Errorf("failed to configure PEM size limits: every limit must be greater than 0, got %+v", l)
	case l.MaxCertificateSize > l.MaxBundleSize:
		return fmt.Errorf("failed to configure PEM size limits: maxCertificateSize (%d) must not be larger than maxBundleSize (%d)", l.MaxCertificateSize, l.MaxBundleSize)
	case l.MaxChainLength > l.MaxBundleSize:
		return fmt.Errorf("failed to configure PEM size limits: maxChainLength (%d) must not exceed maxBundleSize (%d)", l.MaxChainLength, l.MaxBundleSize)
	}
	limits := pem.NewSizeLimitsFromConfig(l.MaxCertificateSize, l.MaxPrivateKeySize, l.MaxChainLength, l.MaxBundleSize)
	pem.SetGlobalSizeLimits(limits)
	log.V(logf.InfoLevel).Info("configured PEM size limits",
		"maxCertificateSize", limits.MaxCertificateSize, "maxPrivateKeySize", limits.MaxPrivateKeySize,
		"maxChainLength", limits.MaxChainLength, "maxBundleSize", limits.MaxBundleSize)
	return nil
}

func setupMetricsCollectors(ctx *controller.Context, _ sets.Set[string]) {
	ctx.Metrics.SetupACMECollector(ctx.SharedInformerFactory.Acme().V1().Challenges().Lister())
	ctx.Metrics.SetupCertificateCollector(ctx.SharedInformerFactory.Certmanager().V1().Certificates().Lister())
	ctx.Metrics.SetupIssuerCollector(ctx.SharedInformerFactory.Certmanager().V1().Issuers().Lister())
	ctx.Metrics.SetupClusterIssuerCollector(ctx.SharedInformerFactory.Certmanager().V1().ClusterIssuers().Lister())
}

func runController(ctx context.Context, iface controller.Interface, workers int) error {
	return iface.Run(workers, ctx)
}

func shutdownInformers(ctx *controller.Context, c *config.ControllerConfiguration) {
	if gatewayInformersEnabled(c) {
		ctx.GWShared.Shutdown()
	}
	ctx.HTTP01ResourceMetadataInformersFactory.Shutdown()
	ctx.KubeSharedInformerFactory.Shutdown()
	ctx.SharedInformerFactory.Shutdown()
}
