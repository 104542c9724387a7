// MSELoss, as torch.nn.MSELoss: see loss/elementwise.hpp.
#pragma once

#include "ctnn/loss/elementwise.hpp"
