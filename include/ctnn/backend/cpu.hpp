// The CPU backend (policy::cpu): xtensor and xsimd. Included by <ctnn/ctnn.hpp>.
#pragma once

#include "ctnn/backend/cpu/backend.hpp"
