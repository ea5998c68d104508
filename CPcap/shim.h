#ifndef PORTSCOPE_CPCAP_SHIM_H
#define PORTSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
