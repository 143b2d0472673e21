//! The gRPC codec of every ID77 service: prost's encoder, and a decoder that reads a message
//! from one byte slice.
//!
//! tonic hands a decoder the message as a `DecodeBuf` over a `BytesMut`, and prost reading
//! through it pays the `BytesMut` bookkeeping on every varint and string it takes. A received
//! message is always one contiguous slice of that buffer, so decoding from the slice reads the
//! same bytes with plain slice indexing (a search page, about 200 strings, was a third of the
//! gateway's instructions per request, most of it in that bookkeeping).

use std::marker::PhantomData;

use prost::{Message, bytes::Buf as _};
use tonic::{
    Status,
    codec::{BufferSettings, Codec, DecodeBuf, Decoder},
};
use tonic_prost::ProstEncoder;

/// `application/grpc+proto` with prost, as `tonic_prost::ProstCodec`, decoding from a slice.
#[derive(Debug, Clone)]
pub struct SliceCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for SliceCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for SliceCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = SliceDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::new(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        SliceDecoder(PhantomData)
    }
}

/// Decodes a `U` from the bytes of one gRPC message.
#[derive(Debug, Clone)]
pub struct SliceDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for SliceDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        let len = buf.remaining();
        let decoded = if buf.chunk().len() == len {
            let decoded = U::decode(buf.chunk());
            buf.advance(len);
            decoded
        } else {
            // Not contiguous (tonic does not do this today): read through the buffer.
            U::decode(&mut *buf)
        };
        // As tonic_prost: a message that does not parse is INTERNAL.
        decoded
            .map(Some)
            .map_err(|error| Status::internal(error.to_string()))
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}
