#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* RD_KAFKA_PARTITION_UA is a cast macro, which Swift does not import: the "let the
 * partitioner choose" partition, and the wildcard partition of a subscription list. */
static inline int32_t crdkafka_partition_unassigned(void) {
    return RD_KAFKA_PARTITION_UA;
}

/* rd_kafka_producev is variadic, which Swift cannot call. This enqueues one message with
 * rd_kafka_produce, copying payload and key (the caller's buffers need not outlive the call),
 * and returns the error code at once instead of leaving it in thread-local state. */
static inline rd_kafka_resp_err_t crdkafka_produce_copy(rd_kafka_topic_t *topic, int32_t partition,
                                                        const void *payload, size_t payloadLength,
                                                        const void *key, size_t keyLength) {
    if (rd_kafka_produce(topic, partition, RD_KAFKA_MSG_F_COPY, (void *)payload, payloadLength,
                         key, keyLength, NULL) == -1) {
        return rd_kafka_last_error();
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}
