/* iq_version.h - release version and protocol version. */
#ifndef IQ_VERSION_H
#define IQ_VERSION_H
#define IQ_VERSION "0.1.0"
#define IQ_PROTO_VERSION 1
#endif
