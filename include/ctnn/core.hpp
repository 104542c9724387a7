// Everything of ctnn that does not depend on a backend: shapes, tensors, duals, layers,
// Sequential, losses, optimisers, training utilities. Includes the standard library only.
#pragma once

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/concepts.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/policy.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/layers/activation.hpp"
#include "ctnn/layers/flatten.hpp"
#include "ctnn/layers/linear.hpp"
#include "ctnn/loss/mse.hpp"
#include "ctnn/nn/input.hpp"
#include "ctnn/nn/sequential.hpp"
#include "ctnn/optim/sgd.hpp"
#include "ctnn/train/gradcheck.hpp"
#include "ctnn/train/train_step.hpp"
