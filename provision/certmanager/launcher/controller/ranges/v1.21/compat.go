// Release-specific glue for cert-manager v1.21.x.
//
// Compared with v1.20: Gateway API settings moved to GatewayAPIConfig; the
// ContextFactory also takes CertificateRequestMaximumBackoffDuration, the
// HTTP01 solver's extra labels and runtime class, and the Gateway API extra
// protocols; the ClusterIssuer metrics collector is only registered when the
// clusterissuers controller is enabled.
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
	clusterissuerscontroller "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
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
	o.IngressShimOptions.GatewayAPIExtraProtocols = sets.New[string](c.GatewayAPIConfig.ExtraProtocols...)
	o.ACMEOptions.HTTP01SolverExtraLabels = c.ACMEHTTP01Config.SolverExtraLabels
	o.ACMEOptions.HTTP01SolverRuntimeClassName = c.ACMEHTTP01Config.SolverRuntimeClassName
	o.CertificateOptions.CertificateRequestMinimumBackoffDuration = c.CertificateRequestMinimumBackoffDuration
	o.CertificateOptions.CertificateRequestMaximumBackoffDuration = c.CertificateRequestMaximumBackoffDuration
	o.ConfigOptions = controller.ConfigOptions{
		EnableGatewayAPI:            c.GatewayAPIConfig.Enabled,
		EnableGatewayAPIListenerSet: c.GatewayAPIConfig.EnableListenerSet,
	}
}

func gatewayInformersEnabled(c *config.ControllerConfiguration) bool {
	return utilfeature.DefaultFeatureGate.Enabled(feature.ExperimentalGatewayAPISupport) && c.GatewayAPIConfig.Enabled
}

func gatewayControllers(c *config.ControllerConfiguration) []string {
	var names []string
	if gatewayInformersEnabled(c) {
		logf.Log.Info("enabling the sig-network Gateway API certificate-shim and HTTP-01 solver")
		names = append(names, shimgatewaycontroller.ControllerName)
	}
	if utilfeature.DefaultFeatureGate.Enabled(feature.ListenerSets) && c.GatewayAPIConfig.Enabled && c.GatewayAPIConfig.EnableListenerSet {
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

func setupMetricsCollectors(ctx *controller.Context, enabled sets.Set[string]) {
	ctx.Metrics.SetupACMECollector(ctx.SharedInformerFactory.Acme().V1().Challenges().Lister())
	ctx.Metrics.SetupCertificateCollector(ctx.SharedInformerFactory.Certmanager().V1().Certificates().Lister())
	ctx.Metrics.SetupIssuerCollector(ctx.SharedInformerFactory.Certmanager().V1().Issuers().Lister())
	if enabled.Has(clusterissuerscontroller.ControllerName) {
		ctx.Metrics.SetupClusterIssuerCollector(ctx.SharedInformerFactory.Certmanager().V1().ClusterIssuers().Lister())
	}
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
