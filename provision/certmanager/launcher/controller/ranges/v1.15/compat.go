// Release-specific glue for cert-manager v1.15.x and v1.16.x (v1.17/v1.18
// differ again: informer shutdown, namespaced controller handling; not covered).
//
// Compared with cmd/controller at these tags: ContextOptions still takes the
// Clock, the Metrics and the ACME account registry from the caller;
// controllers run with a context; the gateway shim needs both the feature gate
// and --enable-gateway-api; a namespaced controller skips only clusterissuers.
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

func shutdownInformers(*controller.Context, *config.ControllerConfiguration) {}
