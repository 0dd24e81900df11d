// alertdb-kafka-mock: a Kafka cluster on loopback that produces alert packets on command.
KafkaMockCommand.main()
