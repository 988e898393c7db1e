export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
export * from './connection.js';
export * from './channel.js';
export * from './publish.js';
