#pragma once
/// Byte-level state of learners, metrics and models: cereal's portable binary archives (fixed
/// little-endian layout, so a model saved on one machine loads on another). Every stateful
/// component implements `save(StateWriter&) const` and `load(StateReader&)`; the containers of
/// the standard library serialize through cereal's own support headers included here.
/// Failures while reading (truncated or corrupt bytes) surface as exceptions from cereal inside
/// `load`; the model-file layer (ml/model.h) turns them into a kDataLoss Status.

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

namespace rivulet {

using StateWriter = cereal::PortableBinaryOutputArchive;
using StateReader = cereal::PortableBinaryInputArchive;

}  // namespace rivulet
