--[[
  Ends a started run exactly once: the runner that ran it (its own entry), or whoever found its runner lost
  (the lost runner's entry as read). The first caller whose expected entry is still there wins.

  KEYS[1] started      HASH  run -> entry
  KEYS[2] ended:<run>  STRING

  ARGV[1] run id
  ARGV[2] the entry the caller expects to find
  ARGV[3] verdict
  ARGV[4] how long the verdict is kept (ms): a job that comes back from the queue later is not run again

  Returns: 1 when this call ended the run, 0 when someone else had (or the entry is another's).
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return 1
