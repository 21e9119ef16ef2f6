# The user guide's exactly-once settings through librdkafka's Python client (confluent-kafka): a producer with
# enable_idempotence and a transactional.id commits one transaction and aborts another. Prints the values each
# isolation level reads, one "level: v1,v2,..." line each; ConsoleToolsTest checks them.
import sys
import time

from confluent_kafka import Consumer, Producer

bootstrap, topic = sys.argv[1], sys.argv[2]

producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True,
                     'transactional.id': 'seed-exactly-once', 'acks': 'all'})
producer.init_transactions(60)
producer.begin_transaction()
for i in range(5):
    producer.produce(topic, key='k%d' % i, value='committed-%d' % i)
producer.commit_transaction(60)
producer.begin_transaction()
for i in range(3):
    producer.produce(topic, key='k%d' % i, value='aborted-%d' % i)
producer.flush(60)
producer.abort_transaction(60)


def read(isolation, expected):
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'seed-exactly-once-' + isolation,
                         'auto.offset.reset': 'earliest', 'isolation.level': isolation,
                         'enable.auto.commit': False})
    consumer.subscribe([topic])
    seen = []
    deadline = time.time() + 60
    quiet_since = time.time()
    # Until the expected count came and two quiet seconds passed, so an extra record would show.
    while time.time() < deadline and (len(seen) < expected or time.time() - quiet_since < 2):
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error():
            print('consumer error: %s' % message.error(), file=sys.stderr)
            continue
        seen.append(message.value().decode())
        quiet_since = time.time()
    consumer.close()
    return ','.join(sorted(seen))


print('read_committed: ' + read('read_committed', 5))
print('read_uncommitted: ' + read('read_uncommitted', 8))
