//! The gRPC codec of every ID77 service: prost's encoder, and a decoder that reads a message
//! from one byte slice.
//!
//! tonic hands a decoder the message as a `DecodeBuf` over a `BytesMut`, and prost reading
//! through it pays the `BytesMut` bookkeeping on every varint and string it takes. A received
//! message is always one contiguous slice of that buffer, so decoding from the slice reads the
//! same bytes with plain slice indexing (a search page, about 200 strings, was a third of the
//! gateway's instructions per request, most of it in that bookkeeping).

use std::marker::PhantomData;

use prost::{
    Message,
    bytes::{Buf as _, BufMut as _, Bytes},
};
use tonic::{
    Status,
    codec::{BufferSettings, Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
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

/// Encodes requests with prost, and hands each reply over as its bytes, unread: for a caller
/// that reads the reply in place (see [`crate::view`]).
#[derive(Debug, Clone)]
pub struct RawReplyCodec<T>(PhantomData<T>);

impl<T> Default for RawReplyCodec<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T: Message + Send + 'static> Codec for RawReplyCodec<T> {
    type Encode = T;
    type Decode = Bytes;
    type Encoder = ProstEncoder<T>;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::new(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawDecoder
    }
}

/// Takes the bytes of one gRPC message as they are (a view of tonic's buffer, not a copy).
#[derive(Debug, Clone, Copy)]
pub struct RawDecoder;

impl Decoder for RawDecoder {
    type Item = Bytes;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
        let len = buf.remaining();
        Ok(Some(buf.copy_to_bytes(len)))
    }

    fn buffer_settings(&self) -> BufferSettings {
        page_buffer()
    }
}

/// Decodes requests as [`SliceCodec`], and sends replies that are already protobuf bytes: for a
/// server that writes a reply's bytes itself (the catalog's search, `id77_catalog::wire`).
#[derive(Debug, Clone)]
pub struct EncodedReplyCodec<U>(PhantomData<U>);

impl<U> Default for EncodedReplyCodec<U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<U: Message + Default + Send + 'static> Codec for EncodedReplyCodec<U> {
    type Encode = Vec<u8>;
    type Decode = U;
    type Encoder = EncodedEncoder;
    type Decoder = SliceDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        EncodedEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        SliceDecoder(PhantomData)
    }
}

/// Writes a message that is already encoded.
#[derive(Debug, Clone, Copy)]
pub struct EncodedEncoder;

impl Encoder for EncodedEncoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }

    fn buffer_settings(&self) -> BufferSettings {
        page_buffer()
    }
}

/// Buffers for the messages these codecs carry, search pages: a page of twenty offers is a
/// little over tonic's default 8 KiB, and growing the buffer copied it once on each side.
fn page_buffer() -> BufferSettings {
    // tonic's own yield threshold (32 KiB) is kept.
    BufferSettings::new(16 * 1024, 32 * 1024)
}
