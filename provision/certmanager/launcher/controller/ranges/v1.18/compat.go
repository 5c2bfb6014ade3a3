// Release-specific glue for cert-manager v1.18.x.
//
// Compared with cmd/controller/app at v1.17.4 and v1.18.6: the caller still
// supplies Clock, Metrics and the ACME account registry (v1.19 moves them into
// the ContextFactory); the ingress shim gains ExtraCertificateAnnotations;
// EnabledControllers, not Run, now drops every cluster-scoped controller when
// namespaced, and removes the disabled ones only after everything else was
// added; informer factories are shut down when Run ends. No version line and
// no metrics collectors in Run yet (both v1.19).
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/clock"

	config "github.com/cert-manager/cert-manager/internal/apis/config/controller"
	defaults "github.com/cert-manager/cert-manager/internal/apis/config/controller/v1alpha1"
	"github.com/cert-manager/cert-manager/internal/apis/config/controller/validation"
	"github.com/cert-manager/cert-manager/internal/controller/feature"
	"github.com/cert-manager/cert-manager/pkg/acme/accounts"
	"github.com/cert-manager/cert-manager/pkg/controller"
	shimgatewaycontroller "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/metrics"
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

func extendContextOptions(o *controller.ContextOptions, c *config.ControllerConfiguration, log logr.Logger) {
	o.Clock = clock.RealClock{}
	o.Metrics = metrics.New(log, clock.RealClock{})
	o.ACMEOptions.AccountRegistry = accounts.NewDefaultRegistry()
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
	logf.Log.Info("disabling all cluster-scoped controllers as cert-manager is scoped to a single namespace",
		"controllers", strings.Join(defaults.ClusterScopedControllers, ", "))
	return defaults.ClusterScopedControllers
}

func beforeRun(*config.ControllerConfiguration, logr.Logger) error { return nil }

func setupMetricsCollectors(*controller.Context, sets.Set[string]) {}

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
