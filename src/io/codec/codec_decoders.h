#pragma once
// The decoder and encoder implementations behind Decoder::create and Encoder::create.

#include <memory>

#include "rivulet/io/codec.h"

namespace rivulet::io::internal {

/// `event_field`: the index of options.event_time_field in the schema, -1 when none.
std::unique_ptr<Decoder> make_json_decoder(stream::SchemaPtr schema, DecoderOptions options,
                                           int event_field);
std::unique_ptr<Decoder> make_csv_decoder(stream::SchemaPtr schema, DecoderOptions options,
                                          int event_field);
/// REQUIRES: the schema is one string field.
std::unique_ptr<Decoder> make_text_decoder(stream::SchemaPtr schema);

std::unique_ptr<Encoder> make_json_encoder(stream::SchemaPtr schema);
std::unique_ptr<Encoder> make_csv_encoder(stream::SchemaPtr schema, EncoderOptions options);
/// REQUIRES: the schema is one field.
std::unique_ptr<Encoder> make_text_encoder(stream::SchemaPtr schema);

}  // namespace rivulet::io::internal
