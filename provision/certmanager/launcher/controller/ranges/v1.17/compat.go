// Release-specific glue for cert-manager v1.17.x.
//
// Compared with cmd/controller/app at v1.16.5 and v1.17.4: everything as in
// v1.15/v1.16 (the caller supplies Clock, Metrics and the ACME account
// registry; Run skips only clusterissuers when namespaced), and Run now shuts
// the informer factories down once the control loops have exited.
package main

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/clock"

	config "github.com/cert-manager/cert-manager/internal/apis/config/controller"
	"github.com/cert-manager/cert-manager/internal/apis/config/controller/validation"
	"github.com/cert-manager/cert-manager/internal/controller/feature"
	"github.com/cert-manager/cert-manager/pkg/acme/accounts"
	"github.com/cert-manager/cert-manager/pkg/controller"
	shimgatewaycontroller "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	clusterissuerscontroller "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/metrics"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

const (
	impliedDefaultControllers = true
	disabledRemovedLast       = false
	clusterScopedSkippedAtRun = true
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

// At these tags Run (not EnabledControllers) skips clusterissuers when
// --namespace is set (clusterScopedSkippedAtRun).
func namespacedDisabledControllers() []string {
	return []string{clusterissuerscontroller.ControllerName}
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
