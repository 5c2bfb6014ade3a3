// Release-specific glue for cert-manager v1.19.x.
//
// Compared with v1.15-v1.18: the ContextFactory now creates its own Clock,
// Metrics and ACME account registry; the ingress shim gains
// ExtraCertificateAnnotations; Run logs the version, registers the ACME and
// Certificate metrics collectors (which also registers their informers) and
// shuts the informer factories down on exit; a namespaced controller drops all
// cluster-scoped controllers (defaults.ClusterScopedControllers), and
// disabled controllers are removed after everything else was added.
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
	"github.com/cert-manager/cert-manager/pkg/controller"
	shimgatewaycontroller "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
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
	o.ConfigOptions = controller.ConfigOptions{EnableGatewayAPI: c.EnableGatewayAPI}
}

func gatewayInformersEnabled(c *config.ControllerConfiguration) bool {
	return utilfeature.DefaultFeatureGate.Enabled(feature.ExperimentalGatewayAPISupport) && c.EnableGatewayAPI
}

func gatewayControllers(c *config.ControllerConfiguration) []string {
	if gatewayInformersEnabled(c) {
		logf.Log.Info("enabling the sig-network Gateway API certificate-shim and HTTP-01 solver")
		return []string{shimgatewaycontroller.ControllerName}
	}
	return nil
}

func namespacedDisabledControllers() []string {
	logf.Log.Info("disabling all cluster-scoped controllers as cert-manager is scoped to a single namespace")
	return defaults.ClusterScopedControllers
}

func beforeRun(_ *config.ControllerConfiguration, log logr.Logger) error {
	v := util.VersionInfo()
	log.Info("starting cert-manager controller", "version", v.GitVersion, "git_commit", v.GitCommit, "go_version", v.GoVersion, "platform", v.Platform)
	return nil
}

func setupMetricsCollectors(ctx *controller.Context, _ sets.Set[string]) {
	ctx.Metrics.SetupACMECollector(ctx.SharedInformerFactory.Acme().V1().Challenges().Lister())
	ctx.Metrics.SetupCertificateCollector(ctx.SharedInformerFactory.Certmanager().V1().Certificates().Lister())
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
